"""The floor of a warm command: what any Python client of the API pays.

A warm ``service-list`` cannot be faster than starting Python with
keystoneauth's session imported (``python -c "import
keystoneauth1.session"``) and sending its one request. tools/bench_peers.py
times both in its rounds, beside the three tools, and checks hostctl
against their sum.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib import parse

#: The interpreter start and import, as a command line.
IMPORT = ['-c', 'import keystoneauth1.session']


class Request:
    """``GET /os-services`` as hostctl sends it warm: a new connection,
    a token, a microversion, the JSON read."""

    def __init__(self, env: dict) -> None:
        from keystoneauth1 import session
        from keystoneauth1.identity import generic

        auth = generic.Password(
            env['OS_AUTH_URL'],
            username=env['OS_USERNAME'],
            password=env['OS_PASSWORD'],
            project_name=env['OS_PROJECT_NAME'],
            user_domain_id=env['OS_USER_DOMAIN_ID'],
            project_domain_id=env['OS_PROJECT_DOMAIN_ID'],
        )
        sess = session.Session(auth=auth)
        self.token = sess.get_token()
        self.url = parse.urlsplit(
            sess.get_endpoint(service_type='compute', interface='public')
            + '/os-services'
        )

    def time(self) -> float:
        start = time.perf_counter()
        connection = http.client.HTTPConnection(
            self.url.hostname, self.url.port, timeout=30
        )
        try:
            connection.request(
                'GET',
                self.url.path,
                headers={
                    'X-Auth-Token': self.token,
                    'OpenStack-API-Version': 'compute 2.96',
                    'Accept': 'application/json',
                },
            )
            response = connection.getresponse()
            json.loads(response.read())
        finally:
            connection.close()
        return time.perf_counter() - start
