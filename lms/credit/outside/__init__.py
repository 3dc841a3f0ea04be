"""Training done elsewhere and in the past: outside records a worker or her clinic admin enters, a clinic admin of
her clinic approves or rejects, and a clinic imports from CSV. Approved ones count toward renewal
(lms.credit.standing) as outside records, never as this service's certificates."""
