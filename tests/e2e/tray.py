#!/usr/bin/python3
"""The tray icon as a desktop's tray host sees it, over D-Bus.

Run inside `dbus-run-session` and `xvfb-run` (tests/e2e/run does). This script is
the session's StatusNotifierWatcher, the service a tray host (GNOME's AppIndicator
extension, KDE, Xfce) keeps: the app's indicator registers with it. It then reads
the item and its menu the way a host does (com.canonical.dbusmenu), and clicks.

Checked: the menu's first line is the link's state, not clickable, and follows the
service (the demo terminal comes up as "connected"); Open and Quit are there; Open
leaves the app running; Quit ends the window with exit 0 and leaves the link service
running.

Usage: tray.py APP SLIPKEEPER_CLI JOURNAL
"""

import os
import subprocess
import sys
import threading
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        self.items = []
        self._name = dbus.service.BusName(WATCHER, bus)
        super().__init__(self._name, "/StatusNotifierWatcher")

    @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # AppIndicator passes its object path; others pass a bus name.
        if service.startswith("/"):
            self.items.append((sender, service))
        else:
            self.items.append((service, "/StatusNotifierItem"))
        self.StatusNotifierItemRegistered(service)

    @dbus.service.method(WATCHER, in_signature="s")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, iface, prop):
        return self.GetAll(iface)[prop]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(
                [n + p for n, p in self.items], signature="s"
            ),
            "IsStatusNotifierHostRegistered": True,
            "ProtocolVersion": dbus.Int32(0),
        }


def until(what, secs, f):
    end = time.time() + secs
    while True:
        v = f()
        if v:
            return v
        if time.time() > end:
            raise SystemExit(f"tray: timed out: {what}")
        time.sleep(0.2)


def entries(menu):
    """(id, label, enabled) of each entry of the menu's first level, in order."""
    _rev, (_id, _props, children) = menu.GetLayout(0, -1, [], dbus_interface=MENU)
    out = []
    for child in children:
        cid, props, _ = child
        out.append((int(cid), str(props.get("label", "")), bool(props.get("enabled", True))))
    return out


def main():
    app, cli, journal = sys.argv[1:4]
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    watcher = Watcher(bus)
    loop = GLib.MainLoop()
    threading.Thread(target=loop.run, daemon=True).start()

    env = dict(os.environ, SLIPKEEPER_DB=journal, SLIPKEEPER_DEMO="1")
    window = subprocess.Popen([app], env=env)
    try:
        name, path = until("the app's tray icon registers", 60, lambda: watcher.items and watcher.items[0])
        item = bus.get_object(name, path)
        props = item.GetAll(ITEM, dbus_interface=dbus.PROPERTIES_IFACE)
        assert str(props.get("Status")) == "Active", props.get("Status")
        menu = bus.get_object(name, props["Menu"])
        first = entries(menu)
        labels = [label for _, label, _ in first]
        assert len(first) == 3, labels
        assert labels[0].startswith("终端：") and " / Terminal: " in labels[0], labels
        assert first[0][2] is False, "the state line is not clickable"
        assert labels[1] == "打开 Slipkeeper / Open", labels
        assert labels[2] == "退出窗口 / Quit the window", labels
        state = until(
            "the state line follows the link service to the demo terminal",
            60,
            lambda: (lambda l: "已连接" in l and l)(entries(menu)[0][1]),
        )
        assert state == "终端：已连接，正在同步 / Terminal: connected, mirroring", state
        print(f"tray: item {name}{path}, state line {state!r}")

        open_id, quit_id = first[1][0], first[2][0]
        clicked = dbus.Int32(0, variant_level=1)
        menu.Event(open_id, "clicked", clicked, dbus.UInt32(0), dbus_interface=MENU)
        time.sleep(1)
        assert window.poll() is None, "Open ended the app"
        # Quit may end the app before it answers the call (D-Bus then says NoReply):
        # no answer is awaited; the exit code says what happened.
        menu.Event(quit_id, "clicked", clicked, dbus.UInt32(0), dbus_interface=MENU, ignore_reply=True)
        code = window.wait(timeout=20)
        assert code == 0, f"Quit: exit {code}"
        status = subprocess.run([cli, "--db", journal, "service", "status"], capture_output=True, text=True)
        assert status.returncode == 0, f"the link service ended with the window: {status.stdout}{status.stderr}"
        print("tray: Open keeps the app, Quit ends the window (exit 0), the link service runs on")
    finally:
        if window.poll() is None:
            window.kill()
        subprocess.run([cli, "--db", journal, "service", "stop"], capture_output=True)
    loop.quit()


if __name__ == "__main__":
    main()
