-- Every statement is written once and read rarely, so each index entry it carries is paid on the busiest path (the
-- phones' batches at a shift change). statements_enrollment_idx served no query: the one filter by enrolment (xAPI
-- `registration`) is always one sender's statements too, which statements_user_idx finds in the same order.
--
-- From this release the service also stops filling `statements.context` (a copy of `raw -> 'context'` that nothing
-- reads; about a fifth of each row and of its WAL). The column itself stays for now, so that replicas of the previous
-- release, still running while this one rolls out after `lms migrate`, keep storing statements; a later release's
-- migration drops it (and restates statement_is_immutable without it).
DROP INDEX statements_enrollment_idx;
