#!/usr/bin/env python3
"""End-to-end: real Terraform and real OpenTofu drive terraform-provider-localfs (the framework's
example provider) through a whole life cycle: create, a no-op re-plan (-detailed-exitcode 0), an
in-place update, a replacement, a data source read and destroy, each checked on disk and in the
CLI's plan output.

Environment: LOCALFS_PROVIDER (the binary), TERRAFORM and TOFU (the CLIs; see
scripts/get-clients.sh). A missing CLI fails the run: nothing is skipped.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

PROVIDER = os.environ.get("LOCALFS_PROVIDER", "")
SOURCE = "example.com/cppvider/localfs"

CONFIG = """
terraform {
  required_providers {
    localfs = { source = "%(source)s" }
  }
}
provider "localfs" {
  root = "%(root)s"
}
resource "localfs_file" "f" {
  path        = "%(path)s"
  content     = "%(content)s"
  permissions = "0600"
}
data "localfs_file" "back" {
  path = localfs_file.f.path
}
output "sha" {
  value = localfs_file.f.sha256
}
output "read_back" {
  value = data.localfs_file.back.content
}
"""


def clients():
    found = {}
    for name in ("TERRAFORM", "TOFU"):
        path = os.environ.get(name, "")
        if not path or not os.access(path, os.X_OK):
            raise SystemExit(
                f"e2e: {name} is not set to an executable ({path!r}); run scripts/get-clients.sh")
        found[name.lower()] = path
    return found


class LocalfsE2E(unittest.TestCase):
    cli = ""
    cli_name = ""

    def setUp(self):
        self.assertTrue(os.access(PROVIDER, os.X_OK), f"provider binary missing: {PROVIDER}")
        self.work = tempfile.mkdtemp(prefix=f"cppvider-localfs-{self.cli_name}-")
        self.root = os.path.join(self.work, "files")
        os.makedirs(self.root)
        cfg = os.path.join(self.work, "cli.tfrc")
        with open(cfg, "w") as f:
            f.write('provider_installation {\n'
                    f'  dev_overrides {{ "{SOURCE}" = "{os.path.dirname(os.path.abspath(PROVIDER))}" }}\n'
                    '  direct {}\n}\n')
        self.env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_REATTACH_PROVIDERS", "TF_CLI_CONFIG_FILE",
                  "TOFU_CLI_CONFIG_FILE"):
            self.env.pop(k, None)
        self.env.update(TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cfg,
                        TOFU_CLI_CONFIG_FILE=cfg)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def configure(self, path, content):
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(CONFIG % {"source": SOURCE, "root": self.root, "path": path,
                              "content": content})

    def run_cli(self, *args, expect=(0,)):
        p = subprocess.run([self.cli, *args, "-input=false", "-no-color"], cwd=self.work,
                           env=self.env, capture_output=True, text=True, timeout=300)
        if p.returncode not in expect:
            self.fail(f"{self.cli_name} {' '.join(args)} exited {p.returncode}\n"
                      f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    def read(self, name):
        with open(os.path.join(self.root, name)) as f:
            return f.read()

    def test_life_cycle(self):
        # Create.
        self.configure("a.txt", "one")
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn("1 added, 0 changed, 0 destroyed", out)
        self.assertEqual(self.read("a.txt"), "one")
        self.assertEqual(os.stat(os.path.join(self.root, "a.txt")).st_mode & 0o777, 0o600)
        self.assertIn('read_back = "one"', out)
        # sha256 of "one", known at plan time and kept by apply.
        self.assertIn("7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed", out)

        # Nothing changed: the re-plan is empty.
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))

        # In-place update.
        self.configure("a.txt", "two")
        plan = self.run_cli("plan", "-detailed-exitcode", expect=(2,)).stdout
        self.assertIn("updated in-place", plan)
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn("0 added, 1 changed, 0 destroyed", out)
        self.assertEqual(self.read("a.txt"), "two")
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))

        # A new path replaces the file.
        self.configure("b.txt", "two")
        plan = self.run_cli("plan", "-detailed-exitcode", expect=(2,)).stdout
        self.assertIn("must be replaced", plan)
        self.assertIn("forces replacement", plan)
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn("1 added, 0 changed, 1 destroyed", out)
        self.assertFalse(os.path.exists(os.path.join(self.root, "a.txt")))
        self.assertEqual(self.read("b.txt"), "two")

        # Drift: the file changed behind Terraform's back; the plan puts it right.
        with open(os.path.join(self.root, "b.txt"), "w") as f:
            f.write("tampered")
        self.run_cli("plan", "-detailed-exitcode", expect=(2,))
        self.run_cli("apply", "-auto-approve")
        self.assertEqual(self.read("b.txt"), "two")

        # Destroy.
        out = self.run_cli("destroy", "-auto-approve").stdout
        self.assertIn("1 destroyed", out)
        self.assertFalse(os.path.exists(os.path.join(self.root, "b.txt")))


def load_tests(loader, standard_tests, pattern):
    suite = unittest.TestSuite()
    for name, path in clients().items():
        cls = type(f"LocalfsE2E_{name}", (LocalfsE2E,), {"cli": path, "cli_name": name})
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite


if __name__ == "__main__":
    unittest.main(module=__name__, verbosity=2)
