"""Sources: receiver feeds and recorded files turned into batches of raw frames (or Measurement tables for SBS)."""
