"""Types, units, geodesy and the in-process bus shared by every stage."""
