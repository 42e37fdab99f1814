"""The webhook: every event, in order, whatever the consumer does."""

import threading
import time

import fixtures
import testtools
from requests_mock.contrib import fixture as rm_fixture

from hostctl.watch import webhook

URL = 'http://127.0.0.1:9/events'


class WebhookTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.mock = self.useFixture(rm_fixture.Fixture())
        self.slept = []
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.watch.webhook.time.sleep', self.slept.append
            )
        )
        self.warnings = []

    def hook(self):
        return webhook.Webhook(URL, warn=self.warnings.append).start()

    def posted(self):
        return [r.json()['n'] for r in self.mock.request_history]

    def test_every_event_in_order(self):
        self.mock.post(URL, status_code=204)
        hook = self.hook()
        for n in range(20):
            hook.send({'n': n})
        self.assertEqual(0, hook.close())
        self.assertEqual(list(range(20)), self.posted())
        self.assertEqual(
            'application/json',
            self.mock.request_history[0].headers['Content-Type'],
        )
        self.assertEqual([], self.warnings)

    def test_a_failing_consumer_is_retried_with_backoff_in_order(self):
        self.mock.post(
            URL,
            [{'status_code': 503}] * 6 + [{'status_code': 200}],
        )
        hook = self.hook()
        for n in range(3):
            hook.send({'n': n})
        self.assertEqual(0, hook.close())
        self.assertEqual([0] * 7 + [1, 2], self.posted())
        self.assertEqual([0.5, 1.0, 2.0, 4.0, 5.0, 5.0], self.slept)
        self.assertEqual(
            [
                f'webhook {URL} failed (HTTP 503); trying again, events '
                'wait in order',
                f'webhook {URL} takes events again',
            ],
            self.warnings,
        )

    def test_connection_failures_are_retried(self):
        import requests

        self.mock.post(
            URL,
            [
                {'exc': requests.exceptions.ConnectionError('refused')},
                {'status_code': 200},
            ],
        )
        hook = self.hook()
        hook.send({'n': 1})
        hook.close()
        self.assertEqual([1, 1], self.posted())
        self.assertIn('ConnectionError', self.warnings[0])

    def test_a_refused_event_is_dropped_and_said(self):
        self.mock.post(URL, [{'status_code': 400}, {'status_code': 200}])
        hook = self.hook()
        hook.send({'n': 1})
        hook.send({'n': 2})
        hook.close()
        self.assertEqual([1, 2], self.posted())
        self.assertEqual(1, len(self.warnings))
        self.assertIn('refused an event (HTTP 400)', self.warnings[0])

    def test_a_hanging_consumer_never_delays_the_sender(self):
        release = threading.Event()

        def slow(request, context):
            release.wait(10)
            return ''

        self.mock.post(URL, text=slow)
        hook = self.hook()
        start = time.monotonic()
        for n in range(100):
            hook.send({'n': n})
        self.assertLess(time.monotonic() - start, 0.5)
        release.set()
        self.assertEqual(0, hook.close(10))
        self.assertEqual(list(range(100)), self.posted())

    def test_close_gives_up_on_a_consumer_that_is_down(self):
        self.mock.post(URL, status_code=503)
        hook = self.hook()
        for n in range(3):
            hook.send({'n': n})
        self.assertEqual(3, hook.close(grace=0.2))
        self.assertIn('3 event(s) not delivered', self.warnings[-1])
        hook._thread.join(5)
        self.assertFalse(hook._thread.is_alive())  # it gave up too
