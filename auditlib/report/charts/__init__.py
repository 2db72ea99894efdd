"""Charts. Every chart function takes tidy data and returns ``(Figure, alt_text)``;
colours live in :mod:`auditlib.report.charts.palette`, the house style in
:mod:`auditlib.report.charts.style`."""
