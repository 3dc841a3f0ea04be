"""Building a course in the browser: a new course, its modules and activities of every kind, each form with every
language of the course side by side, saved with a draft revision so that two authors never overwrite each other."""
