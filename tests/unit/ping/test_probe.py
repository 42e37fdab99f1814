"""The prober: concurrency, any-address semantics, and the transports."""

import asyncio
import socket

import fixtures
import testtools

from hostctl import exceptions
from hostctl.ping import probe


class FakeTransport:
    """Answers from a table: address -> list of Answers, one per probe."""

    name = 'fake'

    def __init__(self, table, delay=0.0):
        self.table = {k: list(v) for k, v in table.items()}
        self.delay = delay
        self.sent = []
        self.in_flight = self.most_in_flight = 0

    async def probe(self, address, timeout):
        self.sent.append((address, timeout))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        answers = self.table[address]
        return answers.pop(0) if len(answers) > 1 else answers[0]


def alive(address, rtt):
    return probe.Answer(True, 'echo reply', address, rtt)


def silent(address):
    return probe.Answer(False, probe.NO_ANSWER, address)


class ProberTest(testtools.TestCase):
    def test_alive_when_any_address_answers(self):
        transport = FakeTransport(
            {
                '127.0.0.2': [silent('127.0.0.2')],
                '127.0.0.3': [alive('127.0.0.3', 2.0)],
                '127.0.0.4': [alive('127.0.0.4', 1.0)],
                '127.0.0.5': [silent('127.0.0.5')],
            }
        )
        answers = probe.Prober(transport, timeout=0.5).run(
            {
                'a': ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
                'b': ['127.0.0.5'],
                'c': [],
            }
        )
        # The fastest answer is the one shown.
        self.assertEqual(alive('127.0.0.4', 1.0), answers['a'])
        self.assertEqual(silent('127.0.0.5'), answers['b'])
        self.assertEqual(probe.Answer(False, probe.NO_ADDRESS), answers['c'])
        self.assertEqual(
            {(f'127.0.0.{n}', 0.5) for n in (2, 3, 4, 5)},
            set(transport.sent),
        )

    def test_count_retries_until_an_answer(self):
        transport = FakeTransport(
            {
                '127.0.0.2': [silent('127.0.0.2'), alive('127.0.0.2', 1.0)],
                '127.0.0.3': [silent('127.0.0.3')],
            }
        )
        answers = probe.Prober(transport, count=3).run(
            {'late': ['127.0.0.2'], 'dead': ['127.0.0.3']}
        )
        self.assertTrue(answers['late'].alive)
        self.assertFalse(answers['dead'].alive)
        sent = [a for a, _ in transport.sent]
        self.assertEqual(2, sent.count('127.0.0.2'))
        self.assertEqual(3, sent.count('127.0.0.3'))

    def test_concurrency_bounds_probes_in_flight(self):
        table = {
            f'127.0.1.{n}': [alive(f'127.0.1.{n}', 1.0)] for n in range(40)
        }
        transport = FakeTransport(table, delay=0.01)
        answers = probe.Prober(transport, concurrency=7).run(
            {a: [a] for a in table}
        )
        self.assertEqual(40, len(answers))
        self.assertEqual(7, transport.most_in_flight)


class TcpTransportTest(testtools.TestCase):
    def probe(self, port, timeout=2.0):
        transport = probe.TcpTransport(port)
        return asyncio.run(transport.probe('127.0.0.1', timeout))

    def test_accepted(self):
        listener = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(listener.close)
        answer = self.probe(listener.getsockname()[1])
        self.assertEqual(
            (True, 'connection accepted', '127.0.0.1'),
            (answer.alive, answer.answer, answer.address),
        )
        self.assertGreaterEqual(answer.rtt_ms, 0)

    def test_refused_is_an_answer(self):
        # A port just freed: nothing listens, the stack answers with a reset.
        with socket.create_server(('127.0.0.1', 0)) as s:
            port = s.getsockname()[1]
        answer = self.probe(port)
        self.assertEqual(
            (True, 'connection refused'), (answer.alive, answer.answer)
        )

    def test_unreachable_says_why(self):
        import errno

        async def refuse(*args, **kwargs):
            raise OSError(errno.EHOSTUNREACH, "Connect call failed ('x', 9)")

        self.useFixture(
            fixtures.MonkeyPatch('asyncio.open_connection', refuse)
        )
        answer = self.probe(9)
        self.assertEqual(
            (False, 'unreachable: No route to host'),
            (answer.alive, answer.answer),
        )


class IcmpPermissionTest(testtools.TestCase):
    def test_no_icmp_socket_of_either_kind_is_a_usage_error(self):
        import icmplib

        def refuse(*args, **kwargs):
            raise icmplib.SocketPermissionError(False)

        self.useFixture(fixtures.MonkeyPatch('icmplib.ICMPv4Socket', refuse))
        error = self.assertRaises(exceptions.UsageError, probe.IcmpTransport)
        self.assertIn('--tcp PORT', str(error))

    def test_unprivileged_sockets_first(self):
        import icmplib

        tried = []

        class Socket:
            def __init__(self, privileged):
                tried.append(privileged)
                if privileged is False:
                    raise icmplib.SocketPermissionError(False)

            def close(self):
                pass

        self.useFixture(fixtures.MonkeyPatch('icmplib.ICMPv4Socket', Socket))
        self.assertTrue(probe.IcmpTransport().privileged)
        self.assertEqual([False, True], tried)
