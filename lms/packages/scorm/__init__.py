"""The SCORM 1.2 / 2004 runtime: scorm-again (from the npm registry, runtime/) beside the SCO on the content origin,
the CMI data kept per attempt, its status turned into statements and the unit's completion."""
