"""Checks docker-compose.yml: its structure always; `docker compose config` and `docker build`
when Docker with the compose plugin is installed (else skipped, with the reason printed).

    python ci/compose_check.py          # exit 1 when a check fails, never because Docker is missing
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
HEALTHCHECKED = ("web", "worker", "postgres", "redis")
# What each app service must wait for before it starts, each until it is healthy.
NEEDS = {
    "web": {"postgres", "redis"},
    "worker": {"postgres", "redis", "web"},
    "beat": {"postgres", "redis", "web"},
}
COMMANDS = {
    "web": ("migrate", "gunicorn teamsadmin.wsgi"),
    "worker": ("celery -A teamsadmin worker",),
    "beat": ("celery -A teamsadmin beat",),
}


def load(path: Path = COMPOSE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a mapping")
    return data


def _text(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _healthcheck_problems(name: str, service: dict[str, Any]) -> list[str]:
    check = service.get("healthcheck")
    if not isinstance(check, dict) or not check.get("test"):
        return [f"{name}: no healthcheck"]
    problems = [
        f"{name}: healthcheck lacks {key}"
        for key in ("interval", "timeout", "retries")
        if key not in check
    ]
    test = _text(check["test"])
    if name == "web" and "/readyz" not in test:
        problems.append("web: healthcheck does not ask /readyz")
    if (
        name == "web"
        and "teamsadmin.healthcheck" in test
        and not (ROOT / "teamsadmin" / "healthcheck.py").is_file()
    ):
        problems.append("web: healthcheck runs teamsadmin.healthcheck, which does not exist")
    if name == "worker" and "inspect ping" not in test:
        problems.append("worker: healthcheck does not ping the worker")
    return problems


def _depends_problems(name: str, service: dict[str, Any]) -> list[str]:
    depends = service.get("depends_on")
    if not isinstance(depends, dict):
        return [f"{name}: depends_on must map services to conditions"]
    problems = [f"{name}: does not wait for {need}" for need in sorted(NEEDS[name] - set(depends))]
    for other, rule in depends.items():
        condition = rule.get("condition") if isinstance(rule, dict) else None
        if condition != "service_healthy":
            problems.append(f"{name}: waits for {other} with {condition!r}, not service_healthy")
    return problems


def _metrics_volume(service: dict[str, Any]) -> str | None:
    """The named volume mounted at the service's PROMETHEUS_MULTIPROC_DIR, if any."""
    folder = (service.get("environment") or {}).get("PROMETHEUS_MULTIPROC_DIR")
    for volume in service.get("volumes") or []:
        source, _, target = str(volume).partition(":")
        if target.split(":")[0] == folder:
            return source
    return None


def structural_problems(compose: dict[str, Any]) -> list[str]:
    """Everything wrong with the file's services, healthchecks, dependencies and commands."""
    services = compose.get("services") or {}
    problems = [
        f"no {name} service"
        for name in (*APP_SERVICES, "postgres", "redis")
        if name not in services
    ]
    if problems:
        return problems
    for name in HEALTHCHECKED:
        problems += _healthcheck_problems(name, services[name])
    for name in APP_SERVICES:
        service = services[name]
        problems += _depends_problems(name, service)
        command = _text(service.get("command"))
        problems += [
            f"{name}: command does not run {part!r}"
            for part in COMMANDS[name]
            if part not in command
        ]
        environment = service.get("environment") or {}
        if str(environment.get("DEBUG", "")).lower() != "false":
            problems.append(f"{name}: DEBUG is not false")
        if service.get("env_file") != ".env":
            problems.append(f"{name}: does not read .env")
    uses_metrics = [
        n
        for n in ("web", "worker")
        if "PROMETHEUS_MULTIPROC_DIR" in (services[n].get("environment") or {})
    ]
    if uses_metrics:
        volumes = {_metrics_volume(services[n]) for n in ("web", "worker")}
        if len(volumes) != 1 or None in volumes:
            problems.append("web and worker must mount one volume at PROMETHEUS_MULTIPROC_DIR")
        elif not set(volumes) <= set(compose.get("volumes") or {}):
            problems.append("the metrics volume is not declared under volumes")
    return problems


def docker_unavailable() -> str:
    """Why the Docker checks cannot run here ("" when they can)."""
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    found = subprocess.run(  # noqa: S603 - fixed arguments
        [docker, "compose", "version"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        return "the docker compose plugin is not installed"
    return ""


def docker_problems() -> list[str]:
    """`docker compose config -q` and `docker build`; the .env the file reads comes from
    .env.example for the check when none exists."""
    docker = shutil.which("docker") or "docker"
    env_file = ROOT / ".env"
    made = not env_file.exists()
    if made:
        shutil.copyfile(ROOT / ".env.example", env_file)
    try:
        problems = []
        for command in (
            [docker, "compose", "-f", str(COMPOSE), "config", "-q"],
            [docker, "build", "-q", "-t", "teamsadmin:compose-check", str(ROOT)],
        ):
            result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
            if result.returncode != 0:
                problems.append(
                    f"docker {' '.join(command[1:3])} failed: {result.stderr.strip()[-2000:]}"
                )
        return problems
    finally:
        if made:
            env_file.unlink()


def main() -> int:
    problems = structural_problems(load())
    print(f"docker-compose.yml structure: {'ok' if not problems else 'FAILED'}")
    for problem in problems:
        print(f"  - {problem}")
    reason = docker_unavailable()
    if reason:
        print(f"docker compose config and docker build: skipped ({reason})")
    else:
        docker = docker_problems()
        print(f"docker compose config and docker build: {'ok' if not docker else 'FAILED'}")
        for problem in docker:
            print(f"  - {problem}")
        problems += docker
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
