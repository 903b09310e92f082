#!/usr/bin/env python3
"""End-to-end: real Terraform and real OpenTofu apply 200 servers of examples/cloud against the
mock cloud API (a real HTTP server on loopback), at the default parallelism:

- the API's counters show the runtime at work: region metadata fetched once per provider
  process (cache), refresh reads batched (far fewer calls than resources), no single GETs;
- with faults injected (5xx, 429 with Retry-After, connection resets) the apply still succeeds
  and Terraform's state matches what exists on the API, with no orphans;
- the admin password the API returns lives only in private state, encrypted.

Environment: CLOUD_PROVIDER, CLOUD_MOCK_API (binaries), TERRAFORM and TOFU (the CLIs).
"""
import base64
import json
import os
import subprocess
import unittest
import urllib.request

from cli import CliTest, per_cli

PROVIDER = os.environ.get("CLOUD_PROVIDER", "")
MOCK_API = os.environ.get("CLOUD_MOCK_API", "")
SOURCE = "example.com/cppvider/cloud"
COUNT = 200

CONFIG = """
terraform {
  required_providers {
    cloud = { source = "%(source)s" }
  }
}
provider "cloud" {
  endpoint = "%(endpoint)s"
  region   = "eu-west"
}
data "cloud_region" "here" {}
resource "cloud_server" "s" {
  count          = %(count)d
  name           = "srv-${count.index}"
  image          = data.cloud_region.here.images[0]
  size           = "small"
  volume_size_gb = %(volume)d
  network_cidr   = "10.${floor(count.index / 250)}.${count.index %% 250}.0/24"
  tags           = { index = tostring(count.index) }
}
output "first_id" {
  value = cloud_server.s[0].id
}
"""


class CloudE2E(CliTest):
    provider = PROVIDER
    source = SOURCE

    def setUp(self):
        super().setUp()
        self.assertTrue(os.access(MOCK_API, os.X_OK), f"mock API binary missing: {MOCK_API}")
        port_file = os.path.join(self.work, "api.port")
        self.api = subprocess.Popen([MOCK_API, "--port", "0", "--port-file", port_file,
                                     "--latency-ms", "5"], stdout=subprocess.PIPE, text=True)
        line = self.api.stdout.readline()
        self.assertIn("listening on", line)
        self.endpoint = "http://" + line.split("listening on", 1)[1].strip()
        self.env["CPPVIDER_PRIVATE_STATE_SECRET"] = "e2e-secret-0123456789abcdef"

    def tearDown(self):
        self.api.terminate()
        self.api.wait(timeout=10)
        self.api.stdout.close()
        super().tearDown()

    def admin(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data,
                                     method="GET" if body is None else "POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def configure(self, volume=10):
        self.write_config(CONFIG % {"source": SOURCE, "endpoint": self.endpoint, "count": COUNT,
                                    "volume": volume})

    def state(self):
        return json.loads(self.run_cli("show", "-json").stdout)

    def assert_state_matches_api(self):
        shown = self.state()
        resources = shown.get("values", {}).get("root_module", {}).get("resources", [])
        servers = [r["values"] for r in resources if r["type"] == "cloud_server"]
        api = self.admin("/_admin/state")
        self.assertEqual(len(servers), COUNT)
        self.assertEqual({s["id"] for s in servers}, set(api["servers"]))
        # Every network and volume on the API belongs to a server Terraform knows: no orphans.
        self.assertEqual({s["network_id"] for s in servers}, set(api["networks"]))
        self.assertEqual({s["volume_id"] for s in servers}, set(api["volumes"]))
        for s in servers:
            self.assertEqual(api["volumes"][s["volume_id"]]["size_gb"], s["volume_size_gb"])
            self.assertEqual(api["servers"][s["id"]]["name"], s["name"])

    def private_blobs(self):
        with open(os.path.join(self.work, "terraform.tfstate")) as f:
            st = json.load(f)
        return [base64.b64decode(i["private"]) for r in st["resources"]
                if r["type"] == "cloud_server" for i in r["instances"]]

    def test_200_servers_batched_cached_and_lean(self):
        self.configure()
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn(f"{COUNT} added, 0 changed, 0 destroyed", out)
        c = self.admin("/_admin/counters")["routes"]
        self.assertEqual(c.get("servers.create"), COUNT)
        self.assertEqual(c.get("networks.create"), COUNT)
        self.assertEqual(c.get("volumes.create"), COUNT)
        # Region metadata: once per provider process (plan and apply), not once per server.
        self.assertLessEqual(c.get("regions.get", 0), 4)
        self.assert_state_matches_api()

        # The secret is in private state, sealed: not in the state's values, not readable.
        self.assertNotIn("admin_password", json.dumps(self.state()))
        blobs = self.private_blobs()
        self.assertEqual(len(blobs), COUNT)
        for b in blobs:
            self.assertEqual(b[:1], b"\x02")  # AES-256-GCM format
            self.assertNotIn(b"admin_password", b)

        # A refresh of 200 servers: batched reads, no single GETs, and no changes.
        before = self.admin("/_admin/counters")["routes"]
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))
        after = self.admin("/_admin/counters")["routes"]
        batches = after.get("batch.get", 0) - before.get("batch.get", 0)
        singles = sum(after.get(k, 0) - before.get(k, 0)
                      for k in ("servers.get", "networks.get", "volumes.get"))
        self.assertGreater(batches, 0)
        print(f"refresh: {batches} batch calls for {3 * COUNT} reads", flush=True)
        # 3 reads per server; ~25 calls on a quiet machine, more when it is loaded.
        self.assertLessEqual(batches, COUNT // 2, "refresh reads should be batched")
        self.assertEqual(singles, 0)

        # An in-place update of every server's volume (grow), then a clean re-plan.
        self.configure(volume=12)
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn(f"0 added, {COUNT} changed, 0 destroyed", out)
        self.assert_state_matches_api()
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))

        out = self.run_cli("destroy", "-auto-approve").stdout
        self.assertIn(f"{COUNT} destroyed", out)
        api = self.admin("/_admin/state")
        self.assertEqual((api["servers"], api["networks"], api["volumes"]), ({}, {}, {}))

    def test_faults_do_not_break_apply_or_orphan_objects(self):
        self.admin("/_admin/config", {"seed": 7, "error_5xx_rate": 0.05, "rate_429": 0.03,
                                      "retry_after_ms": 50, "reset_rate": 0.02})
        self.configure()
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn(f"{COUNT} added", out)
        faults = self.admin("/_admin/counters")["faults"]
        self.assertGreater(faults.get("total", 0), 10, faults)  # faults really happened
        self.assert_state_matches_api()
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))
        out = self.run_cli("destroy", "-auto-approve").stdout
        self.assertIn(f"{COUNT} destroyed", out)
        api = self.admin("/_admin/state")
        self.assertEqual((api["servers"], api["networks"], api["volumes"]), ({}, {}, {}))


def load_tests(loader, standard_tests, pattern):
    return per_cli(loader, CloudE2E, "CloudE2E")


if __name__ == "__main__":
    unittest.main(module=__name__, verbosity=2)
