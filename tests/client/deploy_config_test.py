#!/usr/bin/env python3
"""Checks the deployment files without Docker or a cluster.

- Prometheus: `promtool check config`, `promtool check rules`, and the alert
  unit tests (`promtool test rules`).
- Grafana: the dashboard parses, every query is valid PromQL (promtool checks
  them as recording rules), and panels do not overlap.
- Metric names in the dashboard, alerts, HPA and Prometheus Adapter rules are
  ones the server registers (server/metrics.cc), so a rename cannot silently
  empty a panel or stall the autoscaler.
- docker-compose.yml and deploy/k8s: they parse, and the pieces refer to each
  other correctly (ports, labels, probes, volumes, names); every Kubernetes
  object of the kustomization is valid against the Kubernetes API's JSON
  schemas (kubernetes-validate, strict: no unknown fields) of the oldest and
  newest release the manifests support. The PodMonitor is the Prometheus
  Operator's custom resource, which those schemas do not cover.
- docker-compose.yml works with Compose v1 (Debian 12's docker-compose); v2,
  which has to be fetched, is checked by scripts/compose-check.sh.

Usage: deploy_config_test.py REPO_ROOT PROMTOOL
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import kubernetes_validate
import yaml

REPO = os.path.abspath(sys.argv.pop(1))
PROMTOOL = sys.argv.pop(1)
DEPLOY = os.path.join(REPO, "deploy")
GRPC_PORT = 50051
HTTP_PORT = 8080
METRICS_PORT = 9000


def read(*parts):
    with open(os.path.join(REPO, *parts)) as f:
        return f.read()


def load_yaml(*parts):
    return yaml.safe_load(read(*parts))


def promtool(*args):
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True)


def server_metric_names():
    """Names registered in server/metrics.cc: .Name("...") and the rate gauge."""
    return set(re.findall(r'"(mbserve_[a-z0-9_]+)"', read("server", "metrics.cc")))


def metric_names_in(promql):
    names = set(re.findall(r"\b(mbserve_[a-z0-9_]+)", promql))
    return {re.sub(r"_(bucket|sum|count)$", "", n) if n not in server_metric_names() else n
            for n in names}


def dashboard():
    return json.loads(read("deploy", "grafana", "dashboards", "mbserve.json"))


def dashboard_queries():
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def concrete(expr):
    """A Grafana query with its variables replaced, so promtool can parse it."""
    return (expr.replace("$__rate_interval", "1m").replace("$instance", ".*")
            .replace("$rpc", ".*"))


class PrometheusTest(unittest.TestCase):

    def test_config_and_rules_are_valid(self):
        for args in (["check", "config", os.path.join(DEPLOY, "prometheus", "prometheus.yml")],
                     ["check", "rules", os.path.join(DEPLOY, "prometheus", "rules.yml")]):
            result = promtool(*args)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_alerts_fire_as_specified(self):
        result = promtool("test", "rules", os.path.join(DEPLOY, "prometheus", "rules_test.yml"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_scrapes_the_metrics_port(self):
        config = load_yaml("deploy", "prometheus", "prometheus.yml")
        (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "mbserve"]
        self.assertEqual(job["dns_sd_configs"][0]["port"], METRICS_PORT)
        self.assertEqual(job["dns_sd_configs"][0]["names"], ["mbserve"])


class DashboardTest(unittest.TestCase):

    def test_every_query_is_valid_promql(self):
        queries = dashboard_queries()
        self.assertGreater(len(queries), 10)
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:query_{i}", "expr": concrete(q)}
            for i, q in enumerate(queries)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            yaml.safe_dump(rules, f)
        try:
            result = promtool("check", "rules", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_shows_what_the_issue_asks_for(self):
        titles = {p["title"] for p in dashboard()["panels"]}
        for title in ("Tokens/s", "Request rate by code", "Request latency", "Queue depth",
                      "Batch size (sequences)", "Batch tokens"):
            self.assertIn(title, titles)
        by_route = [p for p in dashboard()["panels"]
                    if p["title"] == "Request rate by RPC or HTTP route"][0]
        self.assertIn("sum by (rpc)", by_route["targets"][0]["expr"])
        self.assertIn("/v1/embeddings", by_route["description"])
        latency = [p for p in dashboard()["panels"] if p["title"] == "Request latency"][0]
        self.assertEqual([t["legendFormat"] for t in latency["targets"]], ["p50", "p90", "p99"])

    def test_panels_use_the_datasource_variable_and_do_not_overlap(self):
        panels = dashboard()["panels"]
        self.assertEqual(len({p["id"] for p in panels}), len(panels))
        cells = set()
        for panel in panels:
            self.assertEqual(panel["datasource"]["uid"], "${datasource}", panel["title"])
            g = panel["gridPos"]
            self.assertLessEqual(g["x"] + g["w"], 24, panel["title"])
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    self.assertNotIn((x, y), cells, panel["title"])
                    cells.add((x, y))

    def test_provisioning_points_at_the_mounted_dashboards(self):
        provider = load_yaml("deploy", "grafana", "provisioning", "dashboards", "mbserve.yml")
        path = provider["providers"][0]["options"]["path"]
        grafana = load_yaml("docker-compose.yml")["services"]["grafana"]
        self.assertIn(f"./deploy/grafana/dashboards:{path}:ro", grafana["volumes"])
        datasource = load_yaml("deploy", "grafana", "provisioning", "datasources",
                               "prometheus.yml")["datasources"][0]
        self.assertEqual(datasource["uid"], "prometheus")
        variable = dashboard()["templating"]["list"][0]
        self.assertEqual((variable["name"], variable["query"]), ("datasource", "prometheus"))


class MetricNamesTest(unittest.TestCase):

    def assert_known(self, where, promql):
        unknown = metric_names_in(promql) - server_metric_names()
        self.assertFalse(unknown, f"{where} uses metrics the server does not export: {unknown}")

    def test_server_exports_the_metrics_of_issue_4(self):
        names = server_metric_names()
        for name in ("mbserve_requests_total", "mbserve_tokens_per_second",
                     "mbserve_queue_tokens", "mbserve_batch_tokens", "mbserve_model_info"):
            self.assertIn(name, names)

    def test_dashboard_alerts_and_autoscaling_use_exported_metrics(self):
        for query in dashboard_queries():
            self.assert_known("the dashboard", query)
        for group in load_yaml("deploy", "prometheus", "rules.yml")["groups"]:
            for rule in group["rules"]:
                self.assert_known(f"alert {rule['alert']}", rule["expr"])
        for rule in load_yaml("deploy", "k8s", "prometheus-adapter", "values.yaml")["rules"][
                "custom"]:
            self.assert_known("the adapter", rule["seriesQuery"])


class ComposeTest(unittest.TestCase):

    def setUp(self):
        self.compose = load_yaml("docker-compose.yml")
        self.services = self.compose["services"]

    def test_compose_v1_accepts_the_file(self):
        compose = shutil.which("docker-compose")
        self.assertIsNotNone(compose, "docker-compose (Debian's Compose v1) is missing: "
                             "scripts/setup.sh installs it")
        env = dict(os.environ, MBSERVE_MODEL_DIR=REPO)
        for args in (["config", "-q"], ["--profile", "cpu", "config", "--services"]):
            result = subprocess.run([compose, "-f", os.path.join(REPO, "docker-compose.yml"),
                                     *args], capture_output=True, text=True, env=env, cwd=REPO)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(set(result.stdout.split()),
                         {"mbserve", "mbserve-cpu", "prometheus", "grafana"})
        self.assertNotIn("name", self.compose)  # v1 rejects a top-level name

    def test_gpu_service_reserves_a_gpu(self):
        (device,) = self.services["mbserve"]["deploy"]["resources"]["reservations"]["devices"]
        self.assertEqual(device["driver"], "nvidia")
        self.assertIn("gpu", device["capabilities"])
        self.assertEqual(self.services["mbserve"]["build"]["args"]["VARIANT"], "cuda")

    def test_cpu_profile_answers_to_the_same_name(self):
        cpu = self.services["mbserve-cpu"]
        self.assertEqual(cpu["profiles"], ["cpu"])
        self.assertEqual(cpu["build"]["args"]["VARIANT"], "cpu")
        self.assertIn("mbserve", cpu["networks"]["default"]["aliases"])
        self.assertNotIn("deploy", cpu)

    def test_servers_mount_the_model_and_publish_every_port(self):
        for name in ("mbserve", "mbserve-cpu"):
            service = self.services[name]
            self.assertTrue(any(v.endswith(":/models:ro") for v in service["volumes"]), name)
            container_ports = {int(p.rsplit(":", 1)[1]) for p in service["ports"]}
            self.assertEqual(container_ports, {GRPC_PORT, HTTP_PORT, METRICS_PORT}, name)

    def test_mounted_files_exist(self):
        for service in self.services.values():
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("./deploy/"):
                    self.assertTrue(os.path.exists(os.path.join(REPO, source)), source)


# gRPC probes are GA from 1.27; the newest is what kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.27.0", kubernetes_validate.latest_version())


class KubernetesTest(unittest.TestCase):

    def setUp(self):
        kustomization = load_yaml("deploy", "k8s", "kustomization.yaml")
        self.objects = {}
        for resource in kustomization["resources"]:
            obj = load_yaml("deploy", "k8s", resource)
            self.objects[obj["kind"]] = obj
        self.pod = self.objects["Deployment"]["spec"]["template"]
        (self.container,) = self.pod["spec"]["containers"]

    def test_objects_are_valid_against_the_kubernetes_api_schemas(self):
        built_in = [kind for kind in self.objects if kind != "PodMonitor"]
        self.assertEqual(len(built_in), len(self.objects) - 1)
        for version in KUBERNETES_VERSIONS:
            for kind in built_in:
                with self.subTest(kind=kind, version=version):
                    kubernetes_validate.validate(self.objects[kind], version, strict=True)

    def test_schema_validation_catches_a_misspelt_field(self):
        deployment = json.loads(json.dumps(self.objects["Deployment"]))
        deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"][
            "prot"] = GRPC_PORT
        with self.assertRaises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)

    def test_deployment_runs_on_a_gpu_and_probes_grpc_health(self):
        resources = self.container["resources"]
        self.assertEqual(resources["limits"]["nvidia.com/gpu"], "1")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            self.assertEqual(self.container[probe]["grpc"]["port"], GRPC_PORT, probe)
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports, {"grpc": GRPC_PORT, "http": HTTP_PORT, "metrics": METRICS_PORT})
        self.assertTrue(self.pod["spec"]["securityContext"]["runAsNonRoot"])

    def test_model_volume_is_mounted_where_the_server_looks(self):
        env = {e["name"]: e.get("value") for e in self.container["env"]}
        mounts = {m["name"]: m for m in self.container["volumeMounts"]}
        self.assertEqual(mounts["model"]["mountPath"], env["MBSERVE_MODEL"])
        self.assertTrue(mounts["model"]["readOnly"])
        volumes = {v["name"]: v for v in self.pod["spec"]["volumes"]}
        claim = volumes["model"]["persistentVolumeClaim"]["claimName"]
        self.assertEqual(claim, self.objects["PersistentVolumeClaim"]["metadata"]["name"])

    def test_headless_service_selects_the_pods(self):
        service = self.objects["Service"]
        self.assertEqual(service["spec"]["clusterIP"], "None")
        labels = self.pod["metadata"]["labels"]
        for key, value in service["spec"]["selector"].items():
            self.assertEqual(labels.get(key), value)
        ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
        self.assertEqual(ports, {"grpc": GRPC_PORT, "http": HTTP_PORT})
        container_ports = {p["name"] for p in self.container["ports"]}
        for port in service["spec"]["ports"]:
            self.assertIn(port["targetPort"], container_ports)

    def test_pod_monitor_and_hpa_point_at_the_deployment(self):
        monitor = self.objects["PodMonitor"]
        self.assertEqual(monitor["spec"]["podMetricsEndpoints"][0]["port"], "metrics")
        self.assertEqual(monitor["spec"]["selector"]["matchLabels"],
                         self.objects["Deployment"]["spec"]["selector"]["matchLabels"])
        hpa = self.objects["HorizontalPodAutoscaler"]
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"],
                         self.objects["Deployment"]["metadata"]["name"])
        metric = hpa["spec"]["metrics"][0]["pods"]["metric"]["name"]
        adapter = load_yaml("deploy", "k8s", "prometheus-adapter", "values.yaml")
        self.assertIn(metric, [r["name"]["as"] for r in adapter["rules"]["custom"]])


class DockerfileTest(unittest.TestCase):

    def setUp(self):
        self.dockerfile = read("Dockerfile")

    def test_both_variants_build_and_run_on_debian_with_cuda_from_pypi(self):
        self.assertIn("FROM debian:bookworm AS build-deps", self.dockerfile)
        self.assertIn("FROM debian:bookworm-slim AS runtime-base-cuda", self.dockerfile)
        self.assertIn("FROM debian:bookworm-slim AS runtime-base-cpu", self.dockerfile)
        self.assertIn("ARG VARIANT=cuda", self.dockerfile)
        self.assertIn("install_cuda_wheels.sh /usr/local/cuda", self.dockerfile)
        self.assertNotIn("nvidia/cuda", self.dockerfile)  # NVIDIA's registry is not needed

    def test_needs_no_frontend_from_a_registry(self):
        # A "# syntax=" line makes BuildKit pull its Dockerfile frontend image.
        self.assertNotRegex(self.dockerfile, r"(?im)^#\s*syntax\s*=")

    def test_compile_layer_sees_only_what_cmake_builds(self):
        build = self.dockerfile.split("AS build\n", 1)[1].split("\nRUN ", 1)[0]
        copied = re.findall(r"^COPY (\S+)", build, re.M)
        self.assertEqual(copied, ["CMakeLists.txt", "proto/", "common/", "tokenizer/", "engine/",
                                  "server/", "client/CMakeLists.txt", "client/cli/"])
        ignore = read(".dockerignore").splitlines()
        self.assertEqual(ignore[[i for i, l in enumerate(ignore) if not l.startswith("#")][0]],
                         "*")  # nothing enters the context unless listed
        for listed in (l[1:] for l in ignore if l.startswith("!")):
            self.assertTrue(os.path.exists(os.path.join(REPO, listed)), listed)

    def test_both_variants_compile_through_one_shared_ccache(self):
        # What lets CI build the CUDA image after the CPU one in little more
        # than the time nvcc takes: one cache mount, same id, same paths.
        build = self.dockerfile.split("AS build\n", 1)[1].split("COPY deploy/docker/collect", 1)[0]
        self.assertIn("RUN --mount=type=cache,id=mbserve-ccache,target=/root/.cache/ccache", build)
        self.assertIn("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", build)
        self.assertIn("-S . -B /build", build)
        self.assertIn("WORKDIR /src", build)
        deps = self.dockerfile.split("AS build-deps\n", 1)[1].split("\nFROM ", 1)[0]
        self.assertIn(" ccache ", deps)

    def test_copied_libraries_never_shadow_the_base_images(self):
        runtime = self.dockerfile.split("AS runtime\n", 1)[1]
        drop = runtime.index("ldconfig -p")
        self.assertLess(drop, runtime.index("/etc/ld.so.conf.d/mbserve.conf"))

    def test_runtime_is_non_root_healthchecked_and_configured_by_environment(self):
        runtime = self.dockerfile.split("AS runtime\n", 1)[1]
        self.assertRegex(runtime, r"\nUSER 10001")
        self.assertIn("EXPOSE 50051 8080 9000", runtime)
        self.assertIn("MBSERVE_HTTP_PORT=8080", runtime)
        self.assertIn("MBSERVE_MODEL=/models", runtime)
        self.assertIn("MBSERVE_METRICS_PORT=9000", runtime)
        self.assertRegex(runtime, r"HEALTHCHECK [^\n]*\\\n\s+CMD .*mbserve-cli health")

    def test_copied_helpers_exist_and_are_executable(self):
        for helper in ("collect_runtime_libs.sh", "install_cuda_wheels.sh"):
            self.assertTrue(os.access(os.path.join(DEPLOY, "docker", helper), os.X_OK), helper)


if __name__ == "__main__":
    unittest.main(verbosity=2)
