//! A real SMTP server on loopback for the delivery tests: it speaks enough of RFC 5321 (EHLO/HELO,
//! MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) for a real client, and keeps every
//! message it accepts. It can be told to refuse: a reply code for MAIL FROM (421/451 transient,
//! 550/554 permanent), set at any time.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA bytes, unstuffed, CRLF line ends, without the final ".".
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Reply to MAIL FROM instead of 250, e.g. "451 4.3.0 try later".
    refuse_mail_with: Option<String>,
    /// Keep each message but never answer its DATA (a server that stalls, or a reply lost).
    stall_after_data: bool,
    queue_id: u64,
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpServer {
    /// Listens on 127.0.0.1, on a free port; serves until the test process ends.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        SmtpServer { port, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Keeps every message from now on but never confirms it (the client waits for a reply).
    pub fn stall_after_data(&self, stall: bool) {
        self.state.lock().unwrap().stall_after_data = stall;
    }

    /// `Some("550 5.7.1 relaying denied")` makes MAIL FROM fail with that reply; `None` accepts again.
    pub fn refuse_mail_with(&self, reply: Option<&str>) {
        self.state.lock().unwrap().refuse_mail_with = reply.map(str::to_string);
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    out.write_all(b"220 localhost ESMTP test server\r\n")?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")?,
            "HELO" => out.write_all(b"250 localhost\r\n")?,
            "MAIL" => {
                let refusal = state.lock().unwrap().refuse_mail_with.clone();
                match refusal {
                    Some(reply) => out.write_all(format!("{reply}\r\n").as_bytes())?,
                    None => {
                        from = address_in(&command);
                        to.clear();
                        out.write_all(b"250 2.1.0 Ok\r\n")?;
                    }
                }
            }
            "RCPT" => {
                to.push(address_in(&command));
                out.write_all(b"250 2.1.5 Ok\r\n")?;
            }
            "DATA" => {
                out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if reader.read_until(b'\n', &mut raw)? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") { &raw[1..] } else { &raw[..] };
                    data.extend_from_slice(unstuffed);
                }
                let (id, stall) = {
                    let mut state = state.lock().unwrap();
                    state.queue_id += 1;
                    state.received.push(Received { from: from.clone(), to: to.clone(), data });
                    (state.queue_id, state.stall_after_data)
                };
                if stall {
                    thread::sleep(std::time::Duration::from_secs(600));
                    return Ok(());
                }
                out.write_all(format!("250 2.0.0 Ok: queued as TEST{id}\r\n").as_bytes())?;
            }
            "RSET" => {
                to.clear();
                out.write_all(b"250 2.0.0 Ok\r\n")?;
            }
            "NOOP" => out.write_all(b"250 2.0.0 Ok\r\n")?,
            "QUIT" => {
                out.write_all(b"221 2.0.0 Bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 5.5.2 Command not recognized\r\n")?,
        }
    }
}

fn address_in(command: &str) -> String {
    command.split('<').nth(1).and_then(|rest| rest.split('>').next()).unwrap_or("").to_string()
}
