"""Nova's cell databases, for a cloud whose computes are all in cell1."""

import contextlib

from nova.tests import fixtures as nova_fixtures


class OneComputeCell(nova_fixtures.CellDatabases):
    """Nova's cell databases without the fixture's global cell switch.

    Upstream, target_cell() points every untargeted database access of
    the whole process at the targeted cell, guarded by a
    writer-preferring reader/writer lock; under native threads each
    sqlite writer transaction also holds a per-database lock
    (DatabaseWriteLock).  That deadlocks: thread A inside target_cell()
    (a reader) waits for cell1's write lock, held by thread B, whose
    transaction needs a read lock (an untargeted context, or a nested
    target_cell()) and must queue behind thread C, waiting to switch
    the cell (a writer), which waits for A.  Nova then never answers
    again (a stack dump of the hang: some thirty API threads waiting
    for the read lock in target_cell, one waiting to write, the
    conductor waiting for cell1's write lock).  Here every compute service is in cell1, so an untargeted
    access always belongs to cell1, as it would with nova.conf's
    [database] of a real cell1 service: no switch, no lock.  Targeted
    contexts (cell0 for servers that failed to schedule, the API's
    scatter-gather) carry their own connection as in a real cloud.
    """

    @contextlib.contextmanager
    def _wrap_target_cell(self, context, cell_mapping):
        with self._real_target_cell(context, cell_mapping) as cctxt:
            yield cctxt

    def _wrap_get_context_manager(self, context):
        connection = getattr(context, "db_connection", None)
        return connection or self._default_ctxt_mgr
