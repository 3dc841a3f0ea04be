"""Background work on a PostgreSQL task queue (procrastinate): message delivery, reminders, anything periodic.

- Tasks live in ``lms/jobs/tasks.py`` on one Blueprint, added once to the process's one App (``lms.jobs.queue.jobs``,
  names ``lms:<task>``); a feature adds its task there. ``queue.connected(settings)`` gives that App a database for a
  block (to defer a job); ``queue.running_worker`` runs a worker on it. A task that needs the database declares ``pass_context=True`` and takes
  ``context.additional_context["pool"]`` (an asyncpg pool) and ``["settings"]``.
- ``lms serve`` runs a worker in each process (``LMS_JOBS_IN_SERVE``); ``lms worker`` runs one on its own. Any
  number of them may run: procrastinate hands each job to one worker, and a periodic job is deferred once per tick.
- Writing work from a request: prefer a row in your own table inside the request's transaction (as
  ``lms.messages.send_message`` does) that a task picks up, so nothing is done for a transaction that rolled back.
- Procrastinate's own tables are created by ``lms migrate`` (lms/db/migrate.py) from the installed version's schema.
"""
