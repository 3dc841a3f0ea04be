/*
    lms's side of CATAPULT's cmi5 LMS Test Suite: how the suite's runner imports a package into lms, gets an AU's
    launch URL, waives an AU and abandons a session, all through lms's JSON API as a program admin.

    infra/conformance/cmi5 copies this file into the suite (in its cache outside the repository) as
    lib/lms.custom.js and sets the variables below; nothing of the suite is copied into this repository.

      LMS_BASE_URL      the service, e.g. http://127.0.0.1:8000
      LMS_API_TOKEN     a program admin's API token (Bearer)
      LMS_COURSE_CODE   the course the packages are imported into
      LRS_KEY, LRS_SECRET  an LRS credential that reads every statement (the suite checks the LMS's statements)
*/
"use strict";

const crypto = require("crypto"),
    Wreck = require("@hapi/wreck"),
    {InvalidPackageError} = require("./errors");

const PAGE_WAIT_MS = 120000;

const base = () => process.env.LMS_BASE_URL.replace(/\/$/, ""),
    api = async (method, path, payload, headers = {}) => {
        const response = await Wreck.request(method, `${base()}${path}`, {
                payload,
                headers: {Authorization: `Bearer ${process.env.LMS_API_TOKEN}`, ...headers}
            }),
            body = await Wreck.read(response);

        return {status: response.statusCode, text: body.toString("utf8")};
    },
    json = (method, path, value) => api(method, path, JSON.stringify(value), {"Content-Type": "application/json"}),
    readStream = (stream) => new Promise((resolve, reject) => {
        const chunks = [];

        stream.on("data", (chunk) => chunks.push(chunk));
        stream.on("end", () => resolve(Buffer.concat(chunks)));
        stream.on("error", reject);
    }),
    multipart = (fields, file) => {
        const boundary = `----lms${crypto.randomBytes(12).toString("hex")}`,
            parts = [];

        for (const [name, value] of Object.entries(fields)) {
            parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
        }
        parts.push(Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
            `Content-Type: ${file.type}\r\n\r\n`
        ));
        parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));

        return {body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}`};
    };

module.exports = {
    setup: async () => {
        for (const name of ["LMS_BASE_URL", "LMS_API_TOKEN", "LMS_COURSE_CODE", "LRS_KEY", "LRS_SECRET"]) {
            if (! process.env[name]) {
                throw new Error(`${name} is not set (infra/conformance/cmi5 sets it)`);
            }
        }
        // The suite waits for an AU's page and its #result with puppeteer's defaults (30 s), while an AU loads the
        // cmi5 library and sends a dozen requests: on a loaded 2-core machine that can take longer, and the test would
        // fail while the LMS is right. Wait longer (jest's per-test timeout, set by the runner, is longer still).
        page.setDefaultTimeout(PAGE_WAIT_MS);
        page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
    },

    teardown: async () => {},

    getLrsEndpoint: () => `${base()}/xapi`,

    getLrsAuthHeader: () => `Basic ${Buffer.from(`${process.env.LRS_KEY}:${process.env.LRS_SECRET}`).toString("base64")}`,

    // A package lms refuses is answered 400 (its problem names the file and line): that is an invalid package.
    importCourse: async (stream, contentType, filename) => {
        const content = await readStream(stream),
            form = multipart({language: "en"}, {name: filename, type: contentType, content}),
            answer = await api("POST", `/api/v1/courses/${process.env.LMS_COURSE_CODE}/packages`, form.body,
                {"Content-Type": form.type});

        if (answer.status === 400) {
            throw new InvalidPackageError(`${filename}: ${answer.text}`);
        }
        if (answer.status !== 201) {
            throw new Error(`importing ${filename}: ${answer.status} ${answer.text}`);
        }

        return JSON.parse(answer.text).id;
    },

    getLaunchUrl: async (courseId, auIndex, actor, {registration, launchMode} = {}) => {
        const request = {au: auIndex, actor};

        if (registration) {
            request.registration = registration;
        }
        if (launchMode) {
            request.launch_mode = launchMode;
        }

        const answer = await json("POST", `/api/v1/cmi5/packages/${courseId}/launches`, request);

        if (answer.status !== 201) {
            throw new Error(`launching AU ${auIndex} of ${courseId}: ${answer.status} ${answer.text}`);
        }

        return JSON.parse(answer.text).url;
    },

    // Packages stay: a published course version may name them, so lms never deletes one.
    cleanup: async () => {},

    hasWaive: () => true,

    waiveAU: async (registration, auIndex, reason) => {
        const answer = await json("POST", `/api/v1/cmi5/registrations/${registration}/waive`, {au: auIndex, reason});

        if (answer.status !== 204) {
            throw new Error(`waiving AU ${auIndex}: ${answer.status} ${answer.text}`);
        }
    },

    hasAbandon: () => true,

    abandonSession: async (sessionId) => {
        const answer = await api("POST", `/api/v1/cmi5/sessions/${sessionId}/abandon`);

        if (answer.status !== 204) {
            throw new Error(`abandoning session ${sessionId}: ${answer.status} ${answer.text}`);
        }
    }
};
