"""wait --for: conditions parsed against the field tables, one deadline."""

import testtools

from hostctl import exceptions
from hostctl.commands import fields
from hostctl.v2_1.services import Service
from hostctl.watch import conditions


def service(**values):
    return Service.from_json(
        {'host': 'compute1', 'binary': 'nova-compute', **values}
    )


class ParseTest(testtools.TestCase):
    def parse(self, *specs, table=fields.SERVICE):
        return conditions.parse(specs, table, 'service')

    def test_headers_and_attributes_any_case(self):
        found = self.parse('state=UP', 'Forced Down=True', 'forced_down=false')
        self.assertEqual(
            [
                ('State', 'up'),
                ('Forced Down', 'true'),
                ('Forced Down', 'false'),
            ],
            [(c.field.header, c.want) for c in found],
        )
        (status,) = conditions.parse(
            ['host-status=down'], fields.SERVER, 'server'
        )
        self.assertEqual(
            ('Host Status', 'DOWN'), (status.field.header, status.want)
        )

    def test_unknown_field_lists_the_fields(self):
        error = self.assertRaises(
            exceptions.UsageError, self.parse, 'colour=up'
        )
        self.assertEqual(
            "--for: a service has no field 'colour'; its fields: ID, Binary, "
            'Host, Zone, Status, State, Forced Down, Disabled Reason, '
            'Updated At, Last Report',
            str(error),
        )

    def test_unknown_value_lists_the_values(self):
        error = self.assertRaises(
            exceptions.UsageError, self.parse, 'state=sideways'
        )
        self.assertEqual(
            "--for: State cannot be 'sideways'; it is one of 'up', 'down'",
            str(error),
        )

    def test_server_statuses_are_novas(self):
        (status,) = conditions.parse(['status=shutoff'], fields.SERVER, 'x')
        self.assertEqual('SHUTOFF', status.want)
        error = self.assertRaises(
            exceptions.UsageError,
            conditions.parse,
            ['status=HAPPY'],
            fields.SERVER,
            'server',
        )
        self.assertIn(
            "Status cannot be 'HAPPY'; it is one of 'ACTIVE'", str(error)
        )
        self.assertIn("'VERIFY_RESIZE', 'UNKNOWN'", str(error))

    def test_not_field_equals_value(self):
        for spec in ('state', '=up', ''):
            error = self.assertRaises(exceptions.UsageError, self.parse, spec)
            self.assertIn('give FIELD=VALUE', str(error))

    def test_free_text_and_empty_values(self):
        (reason,) = self.parse('disabled reason=disk swap')
        self.assertTrue(reason.holds(service(disabled_reason='disk swap')))
        self.assertFalse(reason.holds(service(disabled_reason='Disk swap')))
        (empty,) = self.parse('disabled reason=')
        self.assertTrue(empty.holds(service()))


class WaitTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.now = 0.0
        self.sleeps = []
        self.warnings = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def wait(self, answers, specs=('state=down',), timeout=10, interval=3):
        answers = iter(answers)

        def fetch():
            answer = next(answers)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return conditions.wait(
            fetch,
            conditions.parse(specs, fields.SERVICE, 'service'),
            what='service compute1 nova-compute',
            timeout=timeout,
            interval=interval,
            warn=self.warnings.append,
            clock=lambda: self.now,
            sleep=self.sleep,
        )

    def test_polls_until_every_condition_holds(self):
        found = self.wait(
            [
                service(state='up', forced_down=False),
                service(state='down', forced_down=False),
                service(state='down', forced_down=True),
            ],
            specs=('state=down', 'forced down=true'),
        )
        self.assertTrue(found.forced_down)
        self.assertEqual([3, 3], self.sleeps)

    def test_deadline_names_the_last_values(self):
        error = self.assertRaises(
            exceptions.DeadlinePassed,
            self.wait,
            [service(state='up')] * 10,
        )
        self.assertEqual(
            "service compute1 nova-compute: State is 'up', not 'down' after "
            '10 s (--timeout)',
            str(error),
        )
        self.assertEqual(exceptions.ExitCode.DEADLINE, error.exit_code)
        # One deadline: the last sleep is only what was left.
        self.assertEqual([3, 3, 3, 1], self.sleeps)

    def test_timeout_zero_checks_once(self):
        self.assertRaises(
            exceptions.DeadlinePassed,
            self.wait,
            [service(state='up')],
            timeout=0,
        )
        self.assertEqual([], self.sleeps)
        self.assertEqual(
            'down', self.wait([service(state='down')], timeout=0).state
        )

    def test_server_errors_are_waited_through(self):
        busy = exceptions.ServerError('the compute API failed with HTTP 503')
        found = self.wait([busy, busy, service(state='down')])
        self.assertEqual('down', found.state)
        self.assertEqual(
            [
                'the compute API failed with HTTP 503 (waiting on until the '
                'deadline)'
            ],
            self.warnings,
        )

    def test_a_server_error_at_the_deadline_is_the_error(self):
        busy = exceptions.ServerError('HTTP 503')
        error = self.assertRaises(
            exceptions.ServerError, self.wait, [busy] * 10
        )
        self.assertIs(busy, error)

    def test_other_errors_end_the_wait_at_once(self):
        self.assertRaises(
            exceptions.NotFound,
            self.wait,
            [exceptions.NotFound('no such service'), service(state='down')],
        )
        self.assertEqual([], self.sleeps)
