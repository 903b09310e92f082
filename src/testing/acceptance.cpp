#include "cppvider/testing/acceptance.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace cppvider::testing::acceptance {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct command_result {
  int exit_code = -1;  // -1: did not run or was killed at the timeout
  std::string out;     // stdout
  std::string err;     // stderr (the CLI's errors and warnings)
  // Both, for failure messages and for looking for an expected error wherever the CLI put it.
  [[nodiscard]] std::string all() const { return err.empty() ? out : out + "\n[stderr]\n" + err; }
  bool timed_out = false;
};

// Variables of the test's own environment that would change how the CLI behaves.
bool inherited_is_dropped(std::string_view entry) {
  for (std::string_view name :
       {"TF_LOG=", "TF_LOG_PATH=", "TF_LOG_PROVIDER=", "TF_REATTACH_PROVIDERS=",
        "TF_CLI_CONFIG_FILE=", "TOFU_CLI_CONFIG_FILE=", "TF_DATA_DIR=", "TF_WORKSPACE="}) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

// Runs argv in `dir` with the environment plus `extra`, in a process group of its own (so that a
// timeout also ends the providers the CLI started), and collects its output.
command_result run_command(const std::vector<std::string>& argv, const fs::path& dir,
                           const std::map<std::string, std::string>& extra,
                           std::chrono::seconds timeout) {
  command_result r;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (inherited_is_dropped(entry)) continue;
    if (eq != std::string_view::npos && extra.contains(std::string(entry.substr(0, eq)))) continue;
    env_strings.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argp[0], &fa, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    r.err = "could not start " + argv[0] + ": " + std::strerror(rc);
    return r;
  }

  std::string out;
  std::string err;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? out : err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

// Flattens a JSON value into terraform-plugin-testing's keys: "a.b", "list.0", "list.#",
// "map.%". Nulls are left out, as in the flatmap form.
void flatten(const json& v, const std::string& key, std::map<std::string, std::string>& out) {
  if (v.is_null()) return;
  if (v.is_object()) {
    if (!key.empty()) out[key + ".%"] = std::to_string(v.size());
    for (const auto& [k, child] : v.items()) flatten(child, key.empty() ? k : key + "." + k, out);
  } else if (v.is_array()) {
    out[key + ".#"] = std::to_string(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) flatten(v[i], key + "." + std::to_string(i), out);
  } else if (v.is_string()) {
    out[key] = v.get<std::string>();
  } else {
    out[key] = v.dump();
  }
}

// `sensitive_values` mirrors `values` with `true` where a value is sensitive.
void sensitive_keys(const json& v, const std::string& key, std::set<std::string>& out) {
  if (v.is_boolean() && v.get<bool>()) {
    out.insert(key);
  } else if (v.is_object()) {
    for (const auto& [k, child] : v.items())
      sensitive_keys(child, key.empty() ? k : key + "." + k, out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      sensitive_keys(v[i], key + "." + std::to_string(i), out);
  }
}

void collect_module(const json& module, state& s) {
  if (module.contains("resources")) {
    for (const auto& r : module["resources"]) {
      resource_state rs;
      rs.address = r.value("address", "");
      rs.type = r.value("type", "");
      rs.mode = r.value("mode", "");
      if (r.contains("values")) flatten(r["values"], "", rs.attributes);
      if (r.contains("sensitive_values")) sensitive_keys(r["sensitive_values"], "", rs.sensitive);
      s.resources.emplace(rs.address, std::move(rs));
    }
  }
  if (module.contains("child_modules")) {
    for (const auto& m : module["child_modules"]) collect_module(m, s);
  }
}

std::optional<state> parse_state(const std::string& text, std::string& error) {
  state s;
  s.json = text;
  try {
    const json doc = json::parse(text);
    if (doc.contains("values")) {
      const auto& values = doc["values"];
      if (values.contains("outputs")) {
        for (const auto& [name, o] : values["outputs"].items())
          s.outputs[name] = o.contains("value") ? o["value"].dump() : "null";
      }
      if (values.contains("root_module")) collect_module(values["root_module"], s);
    }
  } catch (const std::exception& e) {
    error = std::string("show -json printed what is not JSON: ") + e.what();
    return std::nullopt;
  }
  return s;
}

std::string tail(const std::string& text, std::size_t n = 8000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

class workdir {
 public:
  // A fresh directory under TMPDIR, or under `parent` (an import step's separate state).
  workdir(const test_case& tc, const cli& client, const fs::path& parent = {})
      : tc_(tc), client_(client) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string base = !parent.empty()                    ? parent.string()
                             : (tmp != nullptr && *tmp != '\0') ? std::string(tmp)
                                                                : std::string("/tmp");
    std::string templ = base + "/cppvider-acceptance-" + client.name + "-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr)
      throw std::runtime_error("acceptance: mkdtemp failed: " + std::string(std::strerror(errno)));
    dir_ = templ;
    const fs::path binary = fs::absolute(tc.provider.binary);
    std::ofstream(dir_ / "cli.tfrc")
        << "provider_installation {\n  dev_overrides {\n    \"" << tc.provider.source << "\" = \""
        << binary.parent_path().string() << "\"\n  }\n  direct {}\n}\n";
    local_name_ = tc.provider.local_name;
    if (local_name_.empty()) {
      local_name_ = binary.filename().string();
      constexpr std::string_view prefix = "terraform-provider-";
      if (local_name_.starts_with(prefix)) local_name_ = local_name_.substr(prefix.size());
    }
  }
  workdir(const workdir&) = delete;
  workdir& operator=(const workdir&) = delete;
  ~workdir() {
    if (tc_.keep_workdir) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  const fs::path& path() const { return dir_; }

  void write_config(const std::string& body) const {
    std::ofstream(dir_ / "main.tf")
        << "terraform {\n  required_providers {\n    " << local_name_ << " = { source = \""
        << tc_.provider.source << "\" }\n  }\n}\n\n"
        << body << "\n";
  }

  command_result run_cli(std::string_view subcommand, std::vector<std::string> args,
                         const std::map<std::string, std::string>& step_env) const {
    std::vector<std::string> argv{client_.path, std::string(subcommand)};
    if (subcommand != "show") argv.emplace_back("-input=false");
    argv.emplace_back("-no-color");
    for (auto& a : args) argv.push_back(std::move(a));  // after the flags: `import` wants that
    std::map<std::string, std::string> env = step_env;
    env["TF_IN_AUTOMATION"] = "1";
    env["CHECKPOINT_DISABLE"] = "1";
    env["TF_CLI_CONFIG_FILE"] = (dir_ / "cli.tfrc").string();
    env["TOFU_CLI_CONFIG_FILE"] = (dir_ / "cli.tfrc").string();
    return run_command(argv, dir_, env, tc_.command_timeout);
  }

 private:
  const test_case& tc_;
  const cli& client_;
  fs::path dir_;
  std::string local_name_;
};

std::string describe(std::string_view what, const command_result& r) {
  std::string s(what);
  if (r.timed_out) {
    s += " (killed at the timeout)";
  } else {
    s += " (exit code " + std::to_string(r.exit_code) + ")";
  }
  return s + ":\n" + tail(r.all());
}

// Reads the state; an empty optional means `failure` was set.
std::optional<state> read_state(const workdir& w, const std::map<std::string, std::string>& env,
                                std::string& failure) {
  const auto shown = w.run_cli("show", {"-json"}, env);
  if (shown.exit_code != 0) {
    failure = describe("show -json failed", shown);
    return std::nullopt;
  }
  return parse_state(shown.out, failure);
}

bool ignored(const std::string& key, const std::vector<std::string>& ignore) {
  for (const auto& i : ignore) {
    if (key == i || key.starts_with(i + ".")) return true;
  }
  return false;
}

// The attributes that differ between the test's resource and the imported one.
std::string import_differences(const resource_state& have, const resource_state& imported,
                               const std::vector<std::string>& ignore) {
  std::string out;
  std::set<std::string> keys;
  for (const auto& [k, v] : have.attributes) keys.insert(k);
  for (const auto& [k, v] : imported.attributes) keys.insert(k);
  for (const auto& k : keys) {
    if (ignored(k, ignore)) continue;
    const auto a = have.attributes.find(k);
    const auto b = imported.attributes.find(k);
    const std::string va = a == have.attributes.end() ? "(null)" : "\"" + a->second + "\"";
    const std::string vb = b == imported.attributes.end() ? "(null)" : "\"" + b->second + "\"";
    if (va != vb) out += "\n  " + k + ": state " + va + ", imported " + vb;
  }
  return out;
}

std::string run_import_step(const workdir& w, const test_case& tc, const cli& client,
                            const step& s) {
  std::string failure;
  const auto current = read_state(w, s.env, failure);
  if (!current) return failure;
  const auto* have = current->find(s.import_address);
  std::string id;
  if (s.import_id) {
    id = *s.import_id;
  } else if (have != nullptr && have->attributes.contains("id")) {
    id = have->attributes.at("id");
  } else {
    return s.import_address + " has no \"id\" in the state to import by; set import_id";
  }
  // A separate directory, so the import starts from an empty state and never touches the test's.
  const workdir separate(tc, client, w.path());
  separate.write_config(s.config);
  const auto imported = separate.run_cli("import", {s.import_address, id}, s.env);
  if (imported.exit_code != 0)
    return describe("import " + s.import_address + " " + id + " failed", imported);
  const auto st = read_state(separate, s.env, failure);
  if (!st) return failure;
  if (s.check) {
    if (auto problem = s.check(*st)) return "check failed after import: " + *problem;
  }
  if (s.import_verify) {
    const auto* got = st->find(s.import_address);
    if (got == nullptr) return "the import left no " + s.import_address + " in its state";
    if (have == nullptr) return s.import_address + " is not in the test's state to verify against";
    const auto diff = import_differences(*have, *got, s.import_verify_ignore);
    if (!diff.empty()) return "the imported " + s.import_address + " differs:" + diff;
  }
  return {};
}

// Runs one step; returns the failure text, empty on success. `applied`: an apply succeeded;
// `attempted`: an apply ran at all (a failed one may still have made objects).
std::string run_step(const workdir& w, const test_case& tc, const cli& client, const step& s,
                     bool& applied, bool& attempted) {
  if (!s.import_address.empty()) return run_import_step(w, tc, client, s);
  w.write_config(s.config);
  if (s.plan_only) {
    const auto plan = w.run_cli("plan", {"-detailed-exitcode"}, s.env);
    if (s.expect_error) {
      if (plan.exit_code != 1) return describe("the plan was expected to fail", plan);
      if (plan.all().find(*s.expect_error) == std::string::npos)
        return describe("the plan failed without \"" + *s.expect_error + "\"", plan);
      return {};
    }
    if (plan.exit_code == 2 && !s.expect_non_empty_plan)
      return describe("the plan was expected to be empty", plan);
    if (plan.exit_code == 0 && s.expect_non_empty_plan)
      return describe("the plan was expected to have changes", plan);
    if (plan.exit_code != 0 && plan.exit_code != 2) return describe("plan failed", plan);
    return {};
  }

  const auto apply = w.run_cli("apply", {"-auto-approve"}, s.env);
  attempted = true;
  applied = apply.exit_code == 0;
  if (s.expect_error) {
    if (apply.exit_code == 0) return describe("the apply was expected to fail", apply);
    if (apply.all().find(*s.expect_error) == std::string::npos)
      return describe("the apply failed without \"" + *s.expect_error + "\"", apply);
    return {};
  }
  if (apply.exit_code != 0) return describe("apply failed", apply);

  std::string failure;
  const auto st = read_state(w, s.env, failure);
  if (!st) return failure;
  if (s.check) {
    if (auto problem = s.check(*st)) return "check failed after apply: " + *problem;
  }
  // A provider whose answers do not converge shows a change right after its own apply.
  const auto replan = w.run_cli("plan", {"-detailed-exitcode"}, s.env);
  if (replan.exit_code == 2 && !s.expect_non_empty_plan)
    return describe("the plan after apply was not empty", replan);
  if (replan.exit_code != 0 && replan.exit_code != 2)
    return describe("the plan after apply failed", replan);
  return {};
}

}  // namespace

std::vector<cli> clients() {
  std::vector<cli> out;
  for (const auto& [var, name] : {std::pair{"TERRAFORM", "terraform"}, std::pair{"TOFU", "tofu"}}) {
    const char* path = std::getenv(var);
    if (path == nullptr || *path == '\0' || ::access(path, X_OK) != 0) {
      throw std::runtime_error(std::string("acceptance: ") + var +
                               " is not set to an executable ('" + (path ? path : "") +
                               "'); scripts/get-clients.sh provides Terraform and OpenTofu");
    }
    out.push_back({name, path});
  }
  return out;
}

const resource_state* state::find(std::string_view address) const {
  const auto it = resources.find(std::string(address));
  return it == resources.end() ? nullptr : &it->second;
}

namespace {
// A check on the resource at `address`; f(resource, "address.key") returns the problem.
template <class F>
check_fn on_resource(std::string address, std::string key, F f) {
  return [address = std::move(address), key = std::move(key),
          f = std::move(f)](const state& s) -> std::optional<std::string> {
    const auto* r = s.find(address);
    if (r == nullptr) return address + " is not in the state";
    return f(*r, key, address + "." + key);
  };
}
}  // namespace

check_fn attr(std::string address, std::string key, std::string value) {
  return on_resource(
      std::move(address), std::move(key),
      [value = std::move(value)](const resource_state& r, const std::string& key,
                                 const std::string& name) -> std::optional<std::string> {
        const auto it = r.attributes.find(key);
        if (it == r.attributes.end())
          return name + " is null or absent, expected \"" + value + "\"";
        if (it->second != value)
          return name + " is \"" + it->second + "\", expected \"" + value + "\"";
        return std::nullopt;
      });
}

check_fn attr_set(std::string address, std::string key) {
  return on_resource(std::move(address), std::move(key),
                     [](const resource_state& r, const std::string& key,
                        const std::string& name) -> std::optional<std::string> {
                       if (r.attributes.contains(key) || r.attributes.contains(key + ".#") ||
                           r.attributes.contains(key + ".%"))
                         return std::nullopt;
                       return name + " is null or absent";
                     });
}

check_fn no_attr(std::string address, std::string key) {
  return on_resource(std::move(address), std::move(key),
                     [](const resource_state& r, const std::string& key,
                        const std::string& name) -> std::optional<std::string> {
                       const auto it = r.attributes.find(key);
                       if (it == r.attributes.end()) return std::nullopt;
                       return name + " is \"" + it->second + "\", expected null";
                     });
}

check_fn sensitive(std::string address, std::string key) {
  return on_resource(std::move(address), std::move(key),
                     [](const resource_state& r, const std::string& key,
                        const std::string& name) -> std::optional<std::string> {
                       if (r.sensitive.contains(key)) return std::nullopt;
                       return name + " is not marked sensitive";
                     });
}

check_fn exists(std::string address) {
  return [address = std::move(address)](const state& s) -> std::optional<std::string> {
    if (s.find(address) == nullptr) return address + " is not in the state";
    return std::nullopt;
  };
}

check_fn gone(std::string address) {
  return [address = std::move(address)](const state& s) -> std::optional<std::string> {
    if (s.find(address) != nullptr) return address + " is still in the state";
    return std::nullopt;
  };
}

check_fn all(std::vector<check_fn> checks) {
  return [checks = std::move(checks)](const state& s) -> std::optional<std::string> {
    for (const auto& c : checks) {
      if (!c) continue;
      if (auto problem = c(s)) return problem;
    }
    return std::nullopt;
  };
}

result run(const cli& client, const test_case& tc) {
  result r;
  std::optional<workdir> w;
  try {
    w.emplace(tc, client);
  } catch (const std::exception& e) {
    r.failure = e.what();
    return r;
  }
  const std::string where = tc.keep_workdir ? " [work directory " + w->path().string() + "]" : "";
  // The configuration destroy runs with: the last that applied, else the last that was tried.
  std::optional<std::size_t> last_applied;
  std::optional<std::size_t> last_attempted;
  for (std::size_t i = 0; i < tc.steps.size(); ++i) {
    bool applied = false;
    bool attempted = false;
    std::string failure = run_step(*w, tc, client, tc.steps[i], applied, attempted);
    r.steps_run = i + 1;
    if (applied) last_applied = i;
    if (attempted) last_attempted = i;
    if (!failure.empty()) {
      r.failure = client.name + ", step " + std::to_string(i + 1) + ": " + failure + where;
      break;
    }
  }

  // Always destroy what exists, with the last configuration that applied (it configures the
  // provider as the objects were made) or, if none did, the last that was tried.
  if (!last_applied) last_applied = last_attempted;
  if (last_applied) {
    const auto& s = tc.steps[*last_applied];
    w->write_config(s.config);
    const auto destroyed = w->run_cli("destroy", {"-auto-approve"}, s.env);
    if (destroyed.exit_code != 0) {
      const auto text = client.name + ": destroy failed, objects may be left behind: " +
                        describe("destroy", destroyed) + where;
      r.failure = r.failure.empty() ? text : r.failure + "\n" + text;
      return r;
    }
    std::string failure;
    const auto after = read_state(*w, s.env, failure);
    if (!after) {
      if (r.failure.empty()) r.failure = client.name + ": after destroy: " + failure + where;
      return r;
    }
    if (!after->resources.empty() && r.failure.empty()) {
      r.failure = client.name + ": the state still holds " + after->resources.begin()->first +
                  " after destroy" + where;
    }
    if (tc.check_destroy && r.failure.empty()) {
      if (auto problem = tc.check_destroy(*after))
        r.failure = client.name + ": check after destroy failed: " + *problem + where;
    }
  }
  return r;
}

}  // namespace cppvider::testing::acceptance
