-- POST batches of xAPI statements with fresh ids, rotating over the dataset's bench workers (their API tokens and
-- enrolments). Arguments after --: identities file, batch size, run tag (8 hex), ISO timestamp.
-- Ids are <tag>-<thread>-4<rnd>-8<rnd>-<counter>: unique across threads and runs by construction, so the runner can
-- count exactly what was stored for this run.
require "common"

local threads = {}
local counter = 0

function setup(thread)
   thread:set("thread_id", #threads + 1)
   table.insert(threads, thread)
end

local ids, batch, tag, stamp, pick = {}, 50, "00000000", "2025-01-01T00:00:00.000Z", 0

function init(args)
   for _, line in ipairs(read_lines(args[1])) do
      local f = split(line, "\t")
      ids[#ids + 1] = {token = f[1], user = f[2], registration = f[3], home = f[4], parent = f[5], iris = split(f[6], ",")}
   end
   batch = tonumber(args[2])
   tag = args[3]
   stamp = args[4]
   pick = (thread_id or 1) * 7
end

local verbs = {"http://adlnet.gov/expapi/verbs/launched", "http://adlnet.gov/expapi/verbs/progressed"}

function request()
   pick = pick % #ids + 1
   local who = ids[pick]
   local parts = {}
   for i = 1, batch do
      counter = counter + 1
      local id = string.format("%s-%04x-4%03x-8%03x-%012x", tag, thread_id or 1, math.random(0, 4095), math.random(0, 4095), counter)
      local iri = who.iris[(counter % #who.iris) + 1]
      parts[i] = string.format(
         '{"id":"%s","actor":{"objectType":"Agent","account":{"homePage":"%s","name":"%s"}},' ..
         '"verb":{"id":"%s"},"object":{"objectType":"Activity","id":"%s"},' ..
         '"context":{"registration":"%s","contextActivities":{"parent":[{"objectType":"Activity","id":"%s"}]}},' ..
         '"result":{"duration":"PT%dS"},"timestamp":"%s"}',
         id, who.home, who.user, verbs[(counter % 2) + 1], iri, who.registration, who.parent, 30 + counter % 600, stamp)
   end
   local headers = {
      ["Authorization"] = "Bearer " .. who.token,
      ["Content-Type"] = "application/json",
      ["X-Experience-API-Version"] = "1.0.3",
   }
   return wrk.format("POST", "/xapi/statements", headers, "[" .. table.concat(parts, ",") .. "]")
end

done = bench_done
