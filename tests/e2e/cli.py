"""Shared pieces of the e2e tests: the real CLIs, a work directory whose CLI configuration points
a provider source at a freshly built binary (dev_overrides), and running the CLI there."""
import os
import shutil
import subprocess
import tempfile
import unittest


def clients():
    """TERRAFORM and TOFU from the environment; a missing one fails the run, never skips."""
    found = {}
    for name in ("TERRAFORM", "TOFU"):
        path = os.environ.get(name, "")
        if not path or not os.access(path, os.X_OK):
            raise SystemExit(
                f"e2e: {name} is not set to an executable ({path!r}); run scripts/get-clients.sh")
        found[name.lower()] = path
    return found


class CliTest(unittest.TestCase):
    """A test case run once per CLI (see per_cli); self.cli is the binary, self.work the dir."""
    cli = ""
    cli_name = ""
    provider = ""  # the provider binary
    source = ""    # its source address

    def setUp(self):
        self.assertTrue(os.access(self.provider, os.X_OK),
                        f"provider binary missing: {self.provider}")
        self.work = tempfile.mkdtemp(prefix=f"cppvider-e2e-{self.cli_name}-")
        cfg = os.path.join(self.work, "cli.tfrc")
        with open(cfg, "w") as f:
            f.write('provider_installation {\n'
                    f'  dev_overrides {{ "{self.source}" = '
                    f'"{os.path.dirname(os.path.abspath(self.provider))}" }}\n'
                    '  direct {}\n}\n')
        self.env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_REATTACH_PROVIDERS", "TF_CLI_CONFIG_FILE",
                  "TOFU_CLI_CONFIG_FILE"):
            self.env.pop(k, None)
        self.env.update(TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cfg,
                        TOFU_CLI_CONFIG_FILE=cfg)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def write_config(self, text):
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(text)

    def run_cli(self, *args, expect=(0,), timeout=600):
        extra = ["-input=false"] if args[0] in ("apply", "plan", "destroy", "import", "init",
                                                 "refresh") else []
        # Flags go right after the subcommand: `import ADDR ID` takes no flags after its arguments.
        p = subprocess.run([self.cli, args[0], *extra, "-no-color", *args[1:]], cwd=self.work,
                           env=self.env, capture_output=True, text=True, timeout=timeout)
        if p.returncode not in expect:
            self.fail(f"{self.cli_name} {' '.join(args)} exited {p.returncode}\n"
                      f"stdout:\n{p.stdout[-20000:]}\nstderr:\n{p.stderr[-20000:]}")
        return p


def per_cli(loader, base, prefix):
    """One copy of the test case `base` per real CLI."""
    suite = unittest.TestSuite()
    for name, path in clients().items():
        cls = type(f"{prefix}_{name}", (base,), {"cli": path, "cli_name": name})
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite
