"""Charts. Every chart function takes tidy data and returns a matplotlib Figure;
the palette and house style live in :mod:`auditlib.plotting.palette`."""
