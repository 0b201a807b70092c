"""Files copied verbatim into every open-data export (they import nothing of oglabs)."""
