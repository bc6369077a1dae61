"""The dashboard's widgets, one concern each: sidebar, timeline, detail, status bar, results."""
