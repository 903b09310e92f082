#!/usr/bin/env python3
"""End-to-end: real Terraform and real OpenTofu drive terraform-provider-rawtest.

For each CLI: `init` from a filesystem mirror and `plan` with mutual TLS on, the same plan with
TF_DISABLE_PLUGIN_TLS=1, a plan through dev_overrides, and a plan through TF_REATTACH_PROVIDERS
against the provider started with --debug. Each step asserts on the plan's output and on the
provider's own log lines in the CLI's debug log (mTLS on or off, RPCs served).

Environment: RAWTEST_PROVIDER (the binary), TERRAFORM and TOFU (the CLIs; see
scripts/get-clients.sh). A missing CLI fails the run: nothing is skipped.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from cli import clients

PROVIDER = os.environ.get("RAWTEST_PROVIDER", "")
SOURCE = "example.com/cppvider/rawtest"
VERSION = "0.1.0"

MAIN_TF = """
terraform {
  required_providers {
    rawtest = { source = "%s" }
  }
}
provider "rawtest" {
  label = "e2e"
}
output "greeting" {
  value = provider::rawtest::echo("hello from cppvider")
}
""" % SOURCE


class PluginE2E(unittest.TestCase):
    cli = ""
    cli_name = ""

    def setUp(self):
        self.assertTrue(os.access(PROVIDER, os.X_OK), f"provider binary missing: {PROVIDER}")
        self.work = tempfile.mkdtemp(prefix=f"cppvider-e2e-{self.cli_name}-")
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(MAIN_TF)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------------

    def env(self, **extra):
        env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_REATTACH_PROVIDERS",
                  "TF_DISABLE_PLUGIN_TLS", "TF_CLI_CONFIG_FILE", "TOFU_CLI_CONFIG_FILE"):
            env.pop(k, None)
        env["TF_IN_AUTOMATION"] = "1"
        env["CHECKPOINT_DISABLE"] = "1"
        env["TF_LOG"] = "debug"
        env["TF_LOG_PATH"] = os.path.join(self.work, "cli.log")
        env.update(extra)
        return env

    def run_cli(self, *args, env):
        p = subprocess.run([self.cli, *args, "-no-color"], cwd=self.work, env=env,
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            self.fail(f"{self.cli_name} {' '.join(args)} exited {p.returncode}\n"
                      f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p.stdout

    def provider_log(self):
        """The provider's own hclog lines, as the CLI re-emitted them into its debug log."""
        with open(os.path.join(self.work, "cli.log"), errors="replace") as f:
            return [l for l in f if "provider.terraform-provider-rawtest" in l]

    def write_cli_config(self, body):
        path = os.path.join(self.work, "cli.tfrc")
        with open(path, "w") as f:
            f.write(body)
        return path

    def mirror_config(self):
        mirror = os.path.join(self.work, "mirror")
        target = os.path.join(mirror, SOURCE, VERSION, "linux_amd64")
        os.makedirs(target)
        shutil.copy2(PROVIDER, os.path.join(target, f"terraform-provider-rawtest_v{VERSION}"))
        return self.write_cli_config(
            'provider_installation {\n'
            f'  filesystem_mirror {{\n    path = "{mirror}"\n    include = ["example.com/*/*"]\n  }}\n'
            '  direct { exclude = ["example.com/*/*"] }\n}\n')

    def assert_planned_output(self, out):
        self.assertIn('greeting = "hello from cppvider"', out)

    def assert_served(self, lines, mtls):
        joined = "".join(lines)
        self.assertIn("plugin started", joined, "provider log lines missing from the CLI log")
        self.assertIn(f"mtls={'true' if mtls else 'false'}", joined)
        self.assertIn("tf_rpc=GetProviderSchema", joined)
        self.assertIn("tf_rpc=CallFunction", joined)
        self.assertIn("tf_req_id=", joined)

    # -- tests --------------------------------------------------------------------------------

    def test_mirror_init_and_plan_with_mtls_then_without(self):
        cfg = self.mirror_config()
        env = self.env(TF_CLI_CONFIG_FILE=cfg)
        out = self.run_cli("init", "-input=false", env=env)
        self.assertIn("initialized", out.lower())
        with open(os.path.join(self.work, ".terraform.lock.hcl")) as f:
            self.assertIn(SOURCE, f.read())

        out = self.run_cli("plan", "-input=false", env=env)
        self.assert_planned_output(out)
        self.assert_served(self.provider_log(), mtls=True)
        with open(os.path.join(self.work, "cli.log"), errors="replace") as f:
            self.assertIn("configuring client automatic mTLS", f.read())

        os.remove(os.path.join(self.work, "cli.log"))
        out = self.run_cli("plan", "-input=false", env=self.env(TF_CLI_CONFIG_FILE=cfg,
                                                                TF_DISABLE_PLUGIN_TLS="1"))
        self.assert_planned_output(out)
        self.assert_served(self.provider_log(), mtls=False)

    def test_dev_overrides_plan(self):
        cfg = self.write_cli_config(
            'provider_installation {\n'
            f'  dev_overrides {{ "{SOURCE}" = "{os.path.dirname(os.path.abspath(PROVIDER))}" }}\n'
            '  direct {}\n}\n')
        out = self.run_cli("plan", "-input=false", env=self.env(TF_CLI_CONFIG_FILE=cfg))
        self.assert_planned_output(out)
        self.assert_served(self.provider_log(), mtls=True)

    def test_reattach_to_debug_server(self):
        proc = subprocess.Popen([PROVIDER, "--debug"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env(TF_LOG="debug"))
        try:
            line = proc.stdout.readline().strip()
            self.assertTrue(line.startswith("TF_REATTACH_PROVIDERS='"), line)
            value = line[len("TF_REATTACH_PROVIDERS='"):-1]
            spec = json.loads(value)[SOURCE]
            self.assertEqual(spec["Pid"], proc.pid)
            self.assertTrue(spec["Test"])
            # Reattached providers are not installed; init still needs a config for others.
            cfg = self.mirror_config()
            env = self.env(TF_CLI_CONFIG_FILE=cfg, TF_REATTACH_PROVIDERS=value)
            self.run_cli("init", "-input=false", env=env)
            out = self.run_cli("plan", "-input=false", env=env)
            self.assert_planned_output(out)
            out = self.run_cli("plan", "-input=false", env=env)  # one process serves many runs
            self.assert_planned_output(out)
            self.assertIsNone(proc.poll(), "the debug server must outlive the CLI runs")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            finally:
                proc.kill() if proc.poll() is None else None
        _, err = proc.communicate(timeout=5)
        self.assertIn("tf_rpc", err)  # the debug server logged the calls it served


def load_tests(loader, standard_tests, pattern):
    suite = unittest.TestSuite()
    for name, path in clients().items():
        cls = type(f"PluginE2E_{name}", (PluginE2E,), {"cli": path, "cli_name": name})
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite


if __name__ == "__main__":
    unittest.main(module=__name__, verbosity=2)
