"""test_plugin_abi.py: the plugin ABI from outside the tree. A sample plugin compiled here with
nothing but core/include/convene/plugin.h loads, runs in the daemon (config, store, emit, timers),
and picks up admin changes without a restart; plugins built for another ABI or with a malformed
descriptor are refused naming the file and the reason; a plugin whose init fails is disabled with
its reason while the daemon goes on."""
import os
import signal
import subprocess

from harness import SOURCE, Daemon, StoreTest, main

EX_CONFIG = 78


class PluginAbiTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.plugins = os.path.join(self.dir, "plugins")
        os.makedirs(self.plugins, exist_ok=True)
        self.build("sample")

    def build(self, name, *defines):
        """Compiles tests/abi/sample.c out of the tree against plugin.h alone."""
        out = os.path.join(self.plugins, name + ".so")
        subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                        "-I", os.path.join(SOURCE, "core", "include"), f'-DSAMPLE_NAME="{name}"',
                        *defines, os.path.join(SOURCE, "tests", "abi", "sample.c"), "-o", out],
                       check=True)
        return out

    def env(self):
        env = super().env()
        env["CONVENE_PLUGIN_PATH"] = os.path.join(self.dir, "plugins")
        return env

    def daemon(self):
        d = Daemon(self, "--poll-ms", "50")
        d.wait_for(lambda e: e["msg"].startswith("serving"))
        return d

    def test_sample_built_out_of_tree_is_listed_and_configurable(self):
        listed = {p["name"]: p for p in self.js("plugin", "list")}
        self.assertEqual(listed["sample"]["kind"], "report")
        self.assertEqual(listed["sample"]["version"], "1.0.0")
        self.assertFalse(listed["sample"]["enabled"])
        self.ok("plugin", "enable", "sample")
        self.ok("plugin", "config", "sample", "token", "bí-mật")
        info = self.js("plugin", "info", "sample")
        self.assertTrue(info["enabled"])
        config = {c["key"]: c for c in info["config"]}
        self.assertEqual(config["greeting"]["value"], "xin chào")
        self.assertEqual(config["token"]["value"], "(secret)")
        self.assertNotIn("bí-mật", self.ok("journal").out)
        self.refused("plugin", "config", "sample", "tick_ms", "often", code=64, says="integer")
        self.refused("plugin", "config", "sample", "colour", "red", code=64, says="no setting")

    def test_sample_runs_in_the_daemon_with_store_access_and_events(self):
        self.ok("plugin", "enable", "sample")
        d = self.daemon()
        d.wait_for(lambda e: e["component"] == "sample" and e["msg"] == "sample started: xin chào")
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        counted = d.wait_for(lambda e: e.get("event") == "sample.counted")
        self.assertEqual(counted["data"], {"orgs": 1})
        self.assertEqual(d.stop(signal.SIGTERM), 0)

    def test_daemon_picks_up_config_and_disable_without_restart(self):
        self.ok("plugin", "enable", "sample")
        d = self.daemon()
        d.wait_for(lambda e: e["msg"] == "sample started: xin chào")
        self.ok("plugin", "config", "sample", "tick_ms", "20")
        d.wait_for(lambda e: e["component"] == "sample" and e["msg"].startswith("tick after"))
        self.ok("plugin", "disable", "sample")
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        d.wait_for(lambda e: e.get("event") == "org.added")
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        self.assertNotIn("sample.counted", self.ok("journal").out)

    def test_init_failure_disables_the_plugin_with_its_reason_and_the_daemon_goes_on(self):
        self.ok("plugin", "enable", "sample")
        self.ok("plugin", "config", "sample", "greeting", "")
        d = self.daemon()
        d.wait_for(lambda e: e["component"] == "plugins" and "greeting must not be empty" in e["msg"])
        self.ok("org", "add", "LS", "Tỉnh Lạng Sơn", "--level", "province")
        d.wait_for(lambda e: e.get("event") == "org.added")
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        sample = {p["name"]: p for p in self.js("plugin", "list")}["sample"]
        self.assertFalse(sample["enabled"])
        self.assertIn("greeting must not be empty", sample["last_error"])

    def test_plugin_for_another_abi_major_is_refused_naming_file_and_reason(self):
        path = self.build("sample-v2", "-DSAMPLE_ABI_VERSION=(2u<<16)")
        self.refused("plugin", "enable", "sample-v2", code=EX_CONFIG,
                     says=f"plugin {path} refused: built for plugin ABI 2.0, this convene speaks 1.")
        listed = {p["name"]: p for p in self.js("plugin", "list")}
        self.assertIn("refused", listed["sample-v2"]["last_error"])
        self.assertEqual(listed["sample"]["last_error"], "")

    def test_plugin_for_a_newer_minor_is_refused(self):
        path = self.build("sample-new", "-DSAMPLE_ABI_VERSION=((1u<<16)|999u)")
        r = self.js("plugin", "info", "sample-new")
        self.assertIn(f"plugin {path} refused: built for plugin ABI 1.999, newer", r["last_error"])

    def test_plugin_built_for_an_older_minor_still_loads(self):
        self.build("sample-old", "-DSAMPLE_ABI_VERSION=(1u<<16)")  # 1.0, before store_changes
        self.ok("plugin", "enable", "sample-old")
        r = self.js("plugin", "info", "sample-old")
        self.assertEqual(r["last_error"], "")
        self.assertTrue(r["enabled"])

    def test_a_plugin_refuses_a_setting_when_it_is_set_and_a_1_1_plugin_is_not_asked(self):
        """ABI 1.2's config_check: the sample refuses a tick_ms over an hour at `plugin config`; the
        same plugin built as 1.1 (its descriptor ends before config_check) is never asked, so the
        host reads nothing past the size the plugin declared."""
        self.refused("plugin", "config", "sample", "tick_ms", "3600001", code=64,
                     says="sample.tick_ms: tick_ms must be at most an hour")
        self.ok("plugin", "config", "sample", "tick_ms", "5")
        self.build("sample-11", "-DSAMPLE_ABI_VERSION=((1u<<16)|1u)",
                   "-DSAMPLE_SIZE=offsetof(cv_plugin_descriptor, config_check)")
        self.ok("plugin", "enable", "sample-11")
        self.ok("plugin", "config", "sample-11", "tick_ms", "3600001")
        self.assertEqual(self.js("plugin", "info", "sample-11")["last_error"], "")
        self.refused("plugin", "config", "sample", "tick_ms", "99999999999999999999", code=64,
                     says="must be an integer (64 bits)")

    def test_malformed_descriptor_is_refused(self):
        path = self.build("sample-short", "-DSAMPLE_SIZE=16")
        self.refused("plugin", "enable", "sample-short", code=EX_CONFIG,
                     says=f"plugin {path} refused: malformed descriptor (size 16")

    def test_refused_plugin_does_not_stop_the_daemon(self):
        self.build("sample-v2", "-DSAMPLE_ABI_VERSION=(2u<<16)")
        self.ok("plugin", "enable", "sample")
        d = self.daemon()
        d.wait_for(lambda e: e["msg"] == "sample started: xin chào")
        self.assertEqual(d.stop(signal.SIGTERM), 0)


if __name__ == "__main__":
    main()
