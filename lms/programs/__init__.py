"""The partnership's programs beyond courses: apprenticeship, preceptorship, tuition reimbursement, career ladders."""
