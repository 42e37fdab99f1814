"""hostctl: host and instance health for OpenStack operators."""
