#!/usr/bin/env python3
"""End-to-end: real Terraform and real OpenTofu drive terraform-provider-localfs (the framework's
example provider) through a whole life cycle: create, a no-op re-plan (-detailed-exitcode 0), an
in-place update, a replacement, a data source read and destroy, each checked on disk and in the
CLI's plan output.

Environment: LOCALFS_PROVIDER (the binary), TERRAFORM and TOFU (the CLIs; see
scripts/get-clients.sh). A missing CLI fails the run: nothing is skipped.
"""
import os
import unittest

from cli import CliTest, per_cli

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


HEADER = """
terraform {
  required_providers {
    localfs = { source = "%(source)s" }
  }
}
provider "localfs" {
  root = "%(root)s"
}
"""


class LocalfsCase(CliTest):
    """A work directory with a files root for the provider; no tests of its own."""
    provider = PROVIDER
    source = SOURCE

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.work, "files")
        os.makedirs(self.root)

    def write(self, body):
        self.write_config(HEADER % {"source": SOURCE, "root": self.root} + body)

    def read_file(self, name):
        with open(os.path.join(self.root, name)) as f:
            return f.read()


class LocalfsE2E(LocalfsCase):

    def configure(self, path, content):
        self.write_config(CONFIG % {"source": SOURCE, "root": self.root, "path": path,
                                    "content": content})

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




class LocalfsImportAndErrorsE2E(LocalfsCase):

    def shown_file(self):
        shown = self.run_cli("show", "-json").stdout
        import json
        res = json.loads(shown)["values"]["root_module"]["resources"]
        return [r["values"] for r in res if r["type"] == "localfs_file" and r["mode"] == "managed"]

    def test_import_command_and_import_block(self):
        with open(os.path.join(self.root, "a.txt"), "w") as f:
            f.write("made by hand")
        body = ('resource "localfs_file" "f" {\n  path = "a.txt"\n'
                '  content = "made by hand"\n}\n')
        self.write(body)
        out = self.run_cli("import", "localfs_file.f", "a.txt").stdout
        self.assertIn("Import successful", out)
        files = self.shown_file()
        self.assertEqual(len(files), 1)
        self.assertEqual(files[0]["content"], "made by hand")
        self.assertEqual(files[0]["permissions"], "0644")

        # The same through an import block, planned and applied.
        os.remove(os.path.join(self.work, "terraform.tfstate"))
        self.write(body + 'import {\n  to = localfs_file.f\n  id = "a.txt"\n}\n')
        plan = self.run_cli("plan").stdout
        self.assertIn("1 to import", plan)
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn("1 imported", out)
        self.assertEqual(self.shown_file()[0]["content"], "made by hand")

    def test_validation_error_names_the_attribute(self):
        self.write('resource "localfs_file" "f" {\n  path = "b.txt"\n  content = "x"\n'
                   '  permissions = "999"\n}\n')
        p = self.run_cli("plan", expect=(1,))
        self.assertIn("permissions", p.stderr)
        self.assertIn("four octal digits", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "b.txt")))

    def test_author_exception_is_an_error_and_the_provider_keeps_serving(self):
        # std::filesystem throws for a file name over 255 bytes: an exception in author code.
        long_name = "n" * 300
        with open(os.path.join(self.root, "ok.txt"), "w") as f:
            f.write("fine")
        self.write(f'data "localfs_file" "bad" {{\n  path = "{long_name}"\n}}\n'
                   'data "localfs_file" "ok" {\n  path = "ok.txt"\n}\n'
                   'output "ok" {\n  value = data.localfs_file.ok.content\n}\n')
        p = self.run_cli("plan", expect=(1,))
        self.assertIn("Unexpected error in read", p.stderr)
        self.assertIn("localfs_file", p.stderr)
        # The same provider process went on to serve the other data source.
        self.assertIn("data.localfs_file.ok: Read complete", p.stdout)


class LocalfsFunctionsE2E(LocalfsCase):
    """Provider-defined functions: typed, variadic, and an error that names its argument."""

    def test_functions_in_outputs_and_resources(self):
        self.write('resource "localfs_file" "f" {\n'
                   '  path    = provider::localfs::join_path("sub", "..", "f.txt")\n'
                   '  content = "one"\n'
                   '}\n'
                   'output "sum" {\n  value = provider::localfs::sha256("one")\n}\n'
                   'output "same" {\n'
                   '  value = provider::localfs::sha256("one") == localfs_file.f.sha256\n}\n'
                   'output "path" {\n'
                   '  value = provider::localfs::join_path("a", "b", "c.txt")\n}\n'
                   'output "mode" {\n'
                   '  value = provider::localfs::parse_permissions("0640")\n}\n')
        self.run_cli("apply", "-auto-approve")
        import json
        outputs = json.loads(self.run_cli("output", "-json").stdout)
        self.assertEqual(outputs["sum"]["value"],
                         "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")
        self.assertTrue(outputs["same"]["value"])
        self.assertEqual(outputs["path"]["value"], "a/b/c.txt")
        self.assertEqual(outputs["mode"]["value"], 0o640)
        self.assertEqual(self.read_file("f.txt"), "one")

    def test_function_error_names_the_argument(self):
        self.write('output "bad" {\n'
                   '  value = provider::localfs::parse_permissions("rwx")\n}\n')
        p = self.run_cli("plan", expect=(1,))
        self.assertIn("not four octal digits", p.stderr)
        # The CLI points at the argument the function blamed.
        self.assertIn('"rwx"', p.stderr)


class LocalfsEphemeralE2E(LocalfsCase):
    """An ephemeral lock opened and closed around each run, its token written to a file through
    a write-only attribute: the token reaches the disk but never plan or state."""

    BODY = ('ephemeral "localfs_lock" "run" {\n  path = "run.lock"\n}\n'
            'resource "localfs_file" "secret" {\n'
            '  path               = "secret.txt"\n'
            '  content_wo         = ephemeral.localfs_lock.run.token\n'
            '  content_wo_version = %d\n'
            '}\n')

    def state_text(self):
        with open(os.path.join(self.work, "terraform.tfstate")) as f:
            return f.read()

    def test_lock_and_write_only_content(self):
        import json
        self.write(self.BODY % 1)
        self.run_cli("apply", "-auto-approve")
        token = self.read_file("secret.txt")
        self.assertRegex(token, r"^[0-9a-f]{32}$")
        # Closed at the end of the run: the lock file is gone.
        self.assertFalse(os.path.exists(os.path.join(self.root, "run.lock")))
        # Neither state nor `show -json` holds the token.
        self.assertNotIn(token, self.state_text())
        shown = json.loads(self.run_cli("show", "-json").stdout)
        values = shown["values"]["root_module"]["resources"][0]["values"]
        self.assertIsNone(values["content_wo"])
        self.assertIsNone(values["content"])
        self.assertIsNone(values["sha256"])
        self.assertEqual(values["content_wo_version"], 1)

        # A new run opens a new lock (a new token), but write-only values never make a diff.
        self.run_cli("plan", "-detailed-exitcode", expect=(0,))
        self.assertEqual(self.read_file("secret.txt"), token)
        self.assertFalse(os.path.exists(os.path.join(self.root, "run.lock")))

        # A new version writes the new run's token.
        self.write(self.BODY % 2)
        out = self.run_cli("apply", "-auto-approve").stdout
        self.assertIn("1 changed", out)
        second = self.read_file("secret.txt")
        self.assertRegex(second, r"^[0-9a-f]{32}$")
        self.assertNotEqual(second, token)
        self.assertNotIn(second, self.state_text())

        self.run_cli("destroy", "-auto-approve")
        self.assertFalse(os.path.exists(os.path.join(self.root, "secret.txt")))

    def test_a_held_lock_fails_the_run(self):
        with open(os.path.join(self.root, "run.lock"), "w") as f:
            f.write("someone else")
        self.write(self.BODY % 1)
        p = self.run_cli("apply", "-auto-approve", expect=(1,))
        self.assertIn("Could not take the lock", p.stderr)
        self.assertIn("already held", p.stderr)
        # Someone else's lock is left alone, and nothing was written.
        self.assertEqual(self.read_file("run.lock"), "someone else")
        self.assertFalse(os.path.exists(os.path.join(self.root, "secret.txt")))


def load_tests(loader, standard_tests, pattern):
    suite = per_cli(loader, LocalfsE2E, "LocalfsE2E")
    suite.addTests(per_cli(loader, LocalfsImportAndErrorsE2E, "LocalfsImportAndErrorsE2E"))
    suite.addTests(per_cli(loader, LocalfsFunctionsE2E, "LocalfsFunctionsE2E"))
    suite.addTests(per_cli(loader, LocalfsEphemeralE2E, "LocalfsEphemeralE2E"))
    return suite


if __name__ == "__main__":
    unittest.main(module=__name__, verbosity=2)
