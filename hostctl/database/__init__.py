"""The database (Trove) API v1.0 client. Trove's v1.0 has no microversions."""
