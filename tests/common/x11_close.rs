//! Closing an app window the way a person's window manager does: the X11
//! `WM_DELETE_WINDOW` message (the title bar's close button, Alt+F4), sent
//! straight to the window under Xvfb, which has no window manager.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window, CLIENT_MESSAGE_EVENT,
};

/// Asks every shown top-level window of process `pid` (by `_NET_WM_PID`) on the
/// display in `DISPLAY` to close; returns how many were asked.
pub fn close_windows_of(pid: u32) -> usize {
    let (conn, screen) = x11rb::connect(None).expect("an X display (run under xvfb-run)");
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom
    };
    let (net_wm_pid, protocols, delete) = (
        atom("_NET_WM_PID"),
        atom("WM_PROTOCOLS"),
        atom("WM_DELETE_WINDOW"),
    );
    let root = conn.setup().roots[screen].root;
    let mut asked = 0;
    let mut stack: Vec<Window> = vec![root];
    while let Some(w) = stack.pop() {
        let owner = conn
            .get_property(false, w, net_wm_pid, AtomEnum::CARDINAL, 0, 1)
            .unwrap()
            .reply()
            .ok()
            .and_then(|r| r.value32().and_then(|mut v| v.next()));
        let viewable = conn
            .get_window_attributes(w)
            .unwrap()
            .reply()
            .is_ok_and(|a| a.map_state == MapState::VIEWABLE);
        if owner == Some(pid) && viewable {
            let event = ClientMessageEvent {
                response_type: CLIENT_MESSAGE_EVENT,
                format: 32,
                sequence: 0,
                window: w,
                type_: protocols,
                data: [delete, x11rb::CURRENT_TIME, 0, 0, 0].into(),
            };
            conn.send_event(false, w, EventMask::NO_EVENT, event)
                .unwrap();
            asked += 1;
            continue;
        }
        if let Ok(tree) = conn.query_tree(w).unwrap().reply() {
            stack.extend(tree.children);
        }
    }
    conn.flush().unwrap();
    asked
}
