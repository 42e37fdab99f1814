"""Nova: nova.conf, the nova_server.py process, and a small API client."""

from launcher.loopback import answers, http
from launcher.processes import wait_until
from launcher.settings import (
    COMPUTE_HOSTS,
    DOMAIN,
    HERE,
    HOST,
    HYPERVISOR_HOSTNAMES,
    NETWORKS,
    REGION,
    REPORT_INTERVAL,
    SERVICE_DOWN_TIME,
    SERVICE_USERS,
    TIMEOUTS,
    say,
)


def _nova_conf(settings):
    ndir = settings.run_dir / "nova"
    paste = settings.venv("nova") / "etc" / "nova" / "api-paste.ini"
    return "\n".join(
        [
            "[DEFAULT]",
            "host = devcloud",
            f"state_path = {ndir}",
            f"instances_path = {ndir / 'instances'}",
            f"log_file = {settings.logs / 'nova.log'}",
            "use_stderr = false",
            "debug = false",
            "compute_driver = fake.FakeDriver",
            # Heartbeats every 2 s: a stopped heartbeat shows within seconds.
            f"report_interval = {REPORT_INTERVAL}",
            f"service_down_time = {SERVICE_DOWN_TIME}",
            "periodic_enable = false",
            "manager_shutdown_timeout = 0",
            # The API, conductor, scheduler and three computes share these
            # pools in one process: more threads than one service would need.
            "default_thread_pool_size = 40",
            "cell_worker_thread_pool_size = 20",
            "max_concurrent_builds = 10",
            "max_concurrent_snapshots = 10",
            "graceful_shutdown_timeout = 1",
            "",
            # The database fixtures of nova_server.py put the databases in
            # sqlite files of their own; Nova still reads the connection's kind
            # from here.
            "[database]",
            "connection = sqlite://",
            "sqlite_synchronous = false",
            "",
            "[api_database]",
            "connection = sqlite://",
            "sqlite_synchronous = false",
            "",
            "[api]",
            "response_validation = warn",
            "",
            "[wsgi]",
            f"api_paste_config = {paste}",
            "",
            "[keystone_authtoken]",
            f"www_authenticate_uri = {settings.auth_url}",
            f"auth_url = {settings.auth_url}",
            "auth_type = password",
            "username = nova",
            f"password = {SERVICE_USERS['nova']}",
            "project_name = service",
            f"user_domain_id = {DOMAIN}",
            f"project_domain_id = {DOMAIN}",
            f"region_name = {REGION}",
            "interface = public",
            "",
            "[oslo_messaging_notifications]",
            "driver = noop",
            "",
            "[oslo_concurrency]",
            f"lock_path = {ndir / 'locks'}",
            "",
            # A dev cloud: tests may boot what they like.
            "[quota]",
            "instances = -1",
            "cores = -1",
            "ram = -1",
            "",
        ]
    )


def start_nova(settings, services):
    ndir = settings.run_dir / "nova"
    ndir.mkdir(parents=True)
    conf = ndir / "nova.conf"
    conf.write_text(_nova_conf(settings))
    return services.spawn(
        "nova",
        [
            settings.python("nova"),
            HERE / "nova_server.py",
            "--config-file",
            conf,
            "--host",
            HOST,
            "--port",
            settings.ports["nova"],
            "--control-port",
            settings.ports["nova_control"],
            "--computes",
            ",".join(COMPUTE_HOSTS),
            *(
                arg
                for host, node in HYPERVISOR_HOSTNAMES.items()
                if node != host
                for arg in ("--nodename", f"{host}={node}")
            ),
            *(
                arg
                for name, net in NETWORKS.items()
                for arg in ("--network", f"{name}:{net['id']}:{net['cidr']}")
            ),
            "--state-dir",
            ndir,
        ],
    )


def wait_nova(settings, proc):
    log = settings.logs / "nova.out"
    wait_until(
        "nova",
        lambda: (
            answers(settings.url("nova", "/"), ok=lambda status: status == 200)
            and answers(
                settings.url("nova_control", "/ready"), ok=lambda status: status == 200
            )
        ),
        proc,
        TIMEOUTS["nova"],
        log,
    )
    hosts = ", ".join(COMPUTE_HOSTS)
    say(f"nova: serving on {settings.compute_url}, computes {hosts} up")


class Nova:
    def __init__(self, settings, token):
        self.url = settings.compute_url
        self.token = token

    def call(self, method, path, body=None, version="2.74", ok=(200,)):
        return http(
            method,
            self.url + path,
            body,
            token=self.token,
            headers={"OpenStack-API-Version": f"compute {version}"},
        ).expect(*ok, what=f"nova: {method} {path}")
