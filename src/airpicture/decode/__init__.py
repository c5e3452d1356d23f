"""Decoders: raw surveillance frames (Mode S / ADS-B, ASTERIX) into Measurement tables."""
