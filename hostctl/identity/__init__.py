"""The identity (Keystone v3) client: only what hostctl needs of it."""
