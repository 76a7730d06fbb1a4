//! Mail and background jobs: e-mail verification and password reset end to end through the
//! outbox and through a real SMTP server (aiosmtpd), and jobs that outlive a server restart.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, fresh_database, outbox_dir, session_cookie, spawn_app, spawn_app_on};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn register(app: &TestApp, email: &str) -> Value {
    let response = post(
        app,
        "/api/v1/auth/register",
        json!({"email": email, "display_name": "Ada", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.unwrap()["data"].clone()
}

/// A received message: its recipient, subject and plain-text body (transfer encoding undone).
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) to: String,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
}

impl Received {
    /// The token in the message's link.
    fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

fn parse(raw: &[u8]) -> Received {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a mail message");
    Received {
        to: message
            .to()
            .and_then(|to| to.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
    }
}

/// Every complete message in `dir` (recursively: aiosmtpd's maildir keeps them in `new/`).
fn messages_in(dir: &Path) -> Vec<Received> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if !name.starts_with('.') && path.parent().is_some_and(|p| !p.ends_with("tmp")) {
                found.push(parse(&std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

/// Polls `dir` until a message whose subject contains `subject` arrives for `to`.
pub(crate) async fn wait_for_mail(dir: &Path, to: &str, subject: &str) -> Received {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(mail) = messages_in(dir)
            .into_iter()
            .find(|m| m.to == to && m.subject.contains(subject))
        {
            return mail;
        }
        assert!(
            Instant::now() < deadline,
            "no mail `{subject}` for {to} in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn outbox(app: &TestApp) -> PathBuf {
    outbox_dir(&app.database_url)
}

#[tokio::test]
async fn registration_mails_a_link_that_verifies_once() {
    let app = spawn_app().await;
    register(&app, "ada@example.com").await;
    let mail = wait_for_mail(&outbox(&app), "ada@example.com", "Confirm your e-mail").await;
    assert!(mail.html.contains("Confirm e-mail address"), "HTML part: {}", mail.html);
    assert!(mail.text.contains("/verify-email?token="), "{}", mail.text);

    let response = post(&app, "/api/v1/auth/verify-email", json!({"token": mail.token()})).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["email_verified"], true);

    let again = post(&app, "/api/v1/auth/verify-email", json!({"token": mail.token()})).await;
    let body = assert_envelope(again, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["token"].is_array(), "{body}");
    let forged = post(&app, "/api/v1/auth/verify-email", json!({"token": "not-a-token"})).await;
    assert_envelope(forged, 422, "VALIDATION_ERROR").await;
}

#[tokio::test]
async fn an_email_change_is_verified_again_and_old_links_stop_working() {
    let app = spawn_app().await;
    let tokens = register(&app, "ada@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    let first = wait_for_mail(&outbox(&app), "ada@example.com", "Confirm").await;

    let response = app
        .client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(access)
        .json(&json!({"email": "ada@lovelace.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let second = wait_for_mail(&outbox(&app), "ada@lovelace.example", "Confirm").await;

    let stale = post(&app, "/api/v1/auth/verify-email", json!({"token": first.token()})).await;
    assert_envelope(stale, 422, "VALIDATION_ERROR").await;
    let fresh = post(&app, "/api/v1/auth/verify-email", json!({"token": second.token()})).await;
    assert_eq!(fresh.status().as_u16(), 200);

    // Verified accounts can't ask for another link; strangers can't ask at all.
    let resend = app
        .client
        .post(app.url("/api/v1/auth/verify-email/resend"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_envelope(resend, 422, "BUSINESS_RULE_VIOLATION").await;
    let stranger = app
        .client
        .post(app.url("/api/v1/auth/verify-email/resend"))
        .send()
        .await
        .unwrap();
    assert_envelope(stranger, 401, "UNAUTHORIZED").await;
}

/// Requests a reset for `email` and completes it with the mailed token, checking the error paths.
async fn reset_through(app: &TestApp, mailbox: &Path, email: &str) {
    let old_tokens: Value = post(app, "/api/v1/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    let browser = browser_session(app, email).await;
    assert_ne!(signed_in_as(app, &browser).await, Value::Null);

    let response = post(
        app,
        "/api/v1/auth/password-reset",
        json!({"email": email.to_uppercase()}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 202);
    let mail = wait_for_mail(mailbox, email, "Reset your").await;
    assert!(mail.text.contains("/reset-password?token="), "{}", mail.text);
    assert!(mail.html.contains("Choose a new password"), "{}", mail.html);
    let token = mail.token();

    // A weak password is refused and leaves the token usable.
    let weak = post(
        app,
        "/api/v1/auth/password-reset/confirm",
        json!({"token": token, "new_password": "short"}),
    )
    .await;
    let body = assert_envelope(weak, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["new_password"].is_array(), "{body}");

    let done = post(
        app,
        "/api/v1/auth/password-reset/confirm",
        json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(done.status().as_u16(), 204);

    let reused = post(
        app,
        "/api/v1/auth/password-reset/confirm",
        json!({"token": token, "new_password": "yet another passphrase"}),
    )
    .await;
    assert_envelope(reused, 422, "VALIDATION_ERROR").await;

    let old = post(app, "/api/v1/auth/login", json!({"email": email, "password": PASSWORD})).await;
    assert_envelope(old, 401, "UNAUTHORIZED").await;
    let new = post(
        app,
        "/api/v1/auth/login",
        json!({"email": email, "password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(new.status().as_u16(), 200);
    // Logins from before the reset are over.
    let refresh = post(
        app,
        "/api/v1/auth/refresh",
        json!({"refresh_token": old_tokens["data"]["refresh_token"]}),
    )
    .await;
    assert_envelope(refresh, 401, "UNAUTHORIZED").await;
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(old_tokens["data"]["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_envelope(me, 401, "UNAUTHORIZED").await;
    assert_eq!(
        signed_in_as(app, &browser).await,
        Value::Null,
        "so are browser sessions"
    );
}

/// Signs in through the web form's server function; the session cookie (`name=value`).
async fn browser_session(app: &TestApp, email: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/fn/login"))
        .header("origin", &app.address)
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    session_cookie(&response).expect("a session cookie").0
}

/// Who the browser with `cookie` is signed in as (`null` when signed out).
async fn signed_in_as(app: &TestApp, cookie: &str) -> Value {
    let response = app
        .client
        .get(app.url("/api/fn/current_user"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn password_reset_end_to_end_through_the_outbox() {
    let app = spawn_app().await;
    register(&app, "ada@example.com").await;
    reset_through(&app, &outbox(&app), "ada@example.com").await;
}

#[tokio::test]
async fn a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    let response = post(
        &app,
        "/api/v1/auth/password-reset",
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 202);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(queued, 0, "no job for an unknown address");

    let bad = post(&app, "/api/v1/auth/password-reset", json!({"email": "not-an-address"})).await;
    let body = assert_envelope(bad, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["email"].is_array(), "{body}");
    let malformed = app
        .client
        .post(app.url("/api/v1/auth/password-reset"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    assert_envelope(malformed, 400, "BAD_REQUEST").await;
}

#[tokio::test]
async fn reset_requests_are_rate_limited_per_address() {
    let (url, name) = fresh_database().await;
    let app = spawn_app_on(
        &url,
        &name,
        |s| s.auth.rate_limits.password_reset = app::adapters::rate_limit::Limit::parse("2/600").unwrap(),
        Router::new(),
    )
    .await;
    for _ in 0..2 {
        let ok = post(&app, "/api/v1/auth/password-reset", json!({"email": "x@example.com"})).await;
        assert_eq!(ok.status().as_u16(), 202);
    }
    let limited = post(&app, "/api/v1/auth/password-reset", json!({"email": "x@example.com"})).await;
    let retry_after = limited.headers().get("retry-after").cloned();
    assert_envelope(limited, 429, "RATE_LIMITED").await;
    assert!(retry_after.is_some(), "Retry-After is sent");
}

#[tokio::test]
async fn a_job_enqueued_before_a_stop_runs_after_the_restart() {
    let (url, name) = fresh_database().await;
    let mut first = spawn_app_on(&url, &name, |s| s.jobs.workers = 0, Router::new()).await;
    register(&first, "ada@example.com").await;
    first.stop();
    (&mut first.server).await.unwrap().unwrap();
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE status = 'Pending'")
        .fetch_one(&first.db)
        .await
        .unwrap();
    assert_eq!(pending, 1, "the verification mail waits in the queue");
    assert!(
        messages_in(&outbox(&first)).is_empty(),
        "nothing was sent without workers"
    );

    let second = spawn_app_on(&url, &name, |s| s.jobs.workers = 1, Router::new()).await;
    wait_for_mail(&outbox(&second), "ada@example.com", "Confirm").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM apalis.jobs")
            .fetch_one(&second.db)
            .await
            .unwrap();
        if status == "Done" {
            break;
        }
        assert!(Instant::now() < deadline, "job status stays {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// aiosmtpd (installed by `scripts/setup.sh` into `.tools/venv`), storing what it receives in a
/// maildir; stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    async fn start() -> Self {
        let python = std::env::var("OXCART_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/python"));
        assert!(
            python.exists(),
            "{} is missing: run scripts/setup.sh (it installs aiosmtpd for the SMTP tests)",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = std::env::temp_dir().join(format!("oxcart-smtp-{}", uuid::Uuid::new_v4().simple()));
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, port, maildir }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

#[tokio::test]
async fn password_reset_end_to_end_through_real_smtp() {
    let smtp = SmtpServer::start().await;
    let (url, name) = fresh_database().await;
    let app = spawn_app_on(
        &url,
        &name,
        |s| {
            s.mail.smtp_url = Some(server::config::Secret::new(format!("smtp://127.0.0.1:{}", smtp.port)));
            s.http.public_url = Some("https://shop.example.com".into());
        },
        Router::new(),
    )
    .await;
    register(&app, "ada@example.com").await;
    let welcome = wait_for_mail(&smtp.maildir, "ada@example.com", "Confirm").await;
    assert!(
        welcome.text.contains("https://shop.example.com/verify-email?token="),
        "links use PUBLIC_URL: {}",
        welcome.text
    );
    reset_through(&app, &smtp.maildir, "ada@example.com").await;
    assert!(messages_in(&outbox(&app)).is_empty(), "nothing went to the outbox");
}

#[tokio::test]
async fn finished_jobs_are_deleted_once_kept_long_enough() {
    use app::adapters::jobs::{self, Job};
    use app::adapters::mail::Mail;

    // A bare pool, no server: a server's own housekeeping would race this test's.
    let (url, _) = fresh_database().await;
    let _cleanup = crate::helpers::DropDatabase::new(&url);
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    // (label, status, finished how long ago, attempts of 6)
    let cases = [
        ("done-2h", Some(("Done", "2 hours")), 1),
        ("done-10m", Some(("Done", "10 minutes")), 1),
        ("killed-8d", Some(("Killed", "8 days")), 6),
        ("killed-2d", Some(("Killed", "2 days")), 6),
        ("given-up-8d", Some(("Failed", "8 days")), 6),
        ("retrying-8d", Some(("Failed", "8 days")), 2),
        ("pending", None, 0),
    ];
    for (label, finished, attempts) in cases {
        let mail = Mail {
            to: "ada@example.com".into(),
            subject: label.into(),
            text: String::new(),
            html: String::new(),
        };
        jobs::enqueue(&db, &Job::SendMail(mail)).await.unwrap();
        if let Some((status, ago)) = finished {
            sqlx::query(
                "UPDATE apalis.jobs SET status = $2, attempts = $3, done_at = now() - $4::interval
                 WHERE job->>'subject' = $1",
            )
            .bind(label)
            .bind(status)
            .bind(attempts)
            .bind(ago)
            .execute(&db)
            .await
            .unwrap();
        }
    }

    assert_eq!(jobs::delete_finished(&db).await.unwrap(), 3);
    let mut left: Vec<String> = sqlx::query_scalar("SELECT job->>'subject' FROM apalis.jobs")
        .fetch_all(&db)
        .await
        .unwrap();
    left.sort();
    assert_eq!(left, ["done-10m", "killed-2d", "pending", "retrying-8d"]);
}
