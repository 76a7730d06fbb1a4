//! Outgoing mail: SMTP (lettre) when `SMTP_URL` is set, otherwise each message is written to an
//! outbox directory as an `.eml` file and logged, so a shop without a mail server still shows
//! what it would have sent. Messages are built from the templates below, each with a plain-text
//! and an HTML part. Mail is sent by background jobs, never inside a request.

use std::path::{Path, PathBuf};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address `{0}`")]
    Address(String),
    #[error("message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        dir: PathBuf,
        from: Mailbox,
    },
}

fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address.parse().map_err(|_| MailError::Address(address.to_owned()))
}

impl Mailer {
    /// An SMTP mailer for `smtp://host:port` (plain), `smtp://…?tls=required` or `smtps://…`,
    /// with credentials in the URL if the server needs them.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
        Ok(Self::Smtp {
            transport,
            from: mailbox(from)?,
        })
    }

    /// A mailer that writes `.eml` files into `dir` (created if missing).
    pub fn outbox(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailError> {
        Ok(Self::Outbox {
            dir: dir.into(),
            from: mailbox(from)?,
        })
    }

    /// The implementation's name, for logs and `/health`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Smtp { .. } => "smtp",
            Self::Outbox { .. } => "outbox",
        }
    }

    fn message(from: &Mailbox, mail: &Mail) -> Result<Message, MailError> {
        Ok(Message::builder()
            .from(from.clone())
            .to(mailbox(&mail.to)?)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))?)
    }

    /// Sends one message.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        match self {
            Self::Smtp { transport, from } => {
                transport.send(Self::message(from, mail)?).await?;
                tracing::info!(event = "mail_sent", subject = %mail.subject, "mail sent over SMTP");
            }
            Self::Outbox { dir, from } => {
                let path = write_eml(dir, &Self::message(from, mail)?).await?;
                tracing::info!(event = "mail_written", path = %path.display(), subject = %mail.subject, "mail written to the outbox");
            }
        }
        Ok(())
    }
}

async fn write_eml(dir: &Path, message: &Message) -> Result<PathBuf, MailError> {
    tokio::fs::create_dir_all(dir).await?;
    let name = format!("{}.eml", uuid::Uuid::now_v7());
    let path = dir.join(&name);
    // Written under a temporary name and renamed, so a reader never sees half a message.
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, message.formatted()).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(path)
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Who a message goes to and the link it carries.
pub struct Recipient<'a> {
    pub shop: &'a str,
    pub to: &'a str,
    pub name: &'a str,
    pub link: &'a str,
}

/// The words of a message that asks the reader to follow one link.
struct Words {
    subject: String,
    lead: &'static str,
    action: &'static str,
    note: &'static str,
}

/// The common frame of every message: a greeting, a paragraph, a button-like link, a note.
fn with_link(r: &Recipient<'_>, words: Words) -> Mail {
    let Words {
        subject,
        lead,
        action,
        note,
    } = words;
    let (name, link, shop) = (r.name, r.link, r.shop);
    let text = format!("Hello {name},\n\n{lead}\n\n{action}:\n{link}\n\n{note}\n\nThe {shop} team\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif;color:#1c1917\">\n\
         <p>Hello {name},</p>\n<p>{lead}</p>\n\
         <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 16px;background:#1c1917;color:#fff;text-decoration:none;border-radius:4px\">{action}</a></p>\n\
         <p style=\"font-size:13px;color:#57534e\">{note}<br>\nOr open this address: {link}</p>\n\
         <p>The {shop} team</p></body></html>",
        name = escape(name),
        lead = escape(lead),
        action = escape(action),
        link = escape(link),
        note = escape(note),
        shop = escape(shop),
    );
    Mail {
        to: r.to.to_owned(),
        subject,
        text,
        html,
    }
}

/// Asks a new (or changed) address to confirm itself.
pub fn verify_email(r: &Recipient<'_>) -> Mail {
    with_link(
        r,
        Words {
            subject: format!("Confirm your e-mail address for {}", r.shop),
            lead: "Please confirm that this is your e-mail address.",
            action: "Confirm e-mail address",
            note: "The link works once and expires in 48 hours. If you did not sign up, ignore this message.",
        },
    )
}

/// Sends a single-use link to choose a new password.
pub fn reset_password(r: &Recipient<'_>) -> Mail {
    with_link(
        r,
        Words {
            subject: format!("Reset your {} password", r.shop),
            lead: "Someone (hopefully you) asked to reset the password of your account.",
            action: "Choose a new password",
            note: "The link works once and expires in 1 hour. If you did not ask for this, ignore this message: your password stays as it is.",
        },
    )
}

/// What an order's mails tell: the order, its lines (label, amount) and the link to it.
pub struct OrderFacts<'a> {
    pub shop: &'a str,
    pub to: &'a str,
    pub name: &'a str,
    pub link: &'a str,
    pub number: &'a str,
    pub status: &'a str,
    pub lines: Vec<(String, String)>,
    pub total: String,
    pub payment: &'a str,
    pub tracking_number: Option<&'a str>,
}

/// A message about an order: a lead paragraph, the lines and total, what comes next, the link.
fn about_order(o: &OrderFacts<'_>, subject: String, lead: &str, next: &str) -> Mail {
    let lines_text: String = o
        .lines
        .iter()
        .map(|(label, amount)| format!("  {label}  {amount}\n"))
        .collect();
    let tracking = o
        .tracking_number
        .map(|t| format!("Tracking number: {t}\n\n"))
        .unwrap_or_default();
    let text = format!(
        "Hello {name},\n\n{lead}\n\nOrder {number} ({status})\n{lines_text}  Total  {total}\n\n{tracking}{next}\n\nYour order: {link}\n\nThe {shop} team\n",
        name = o.name,
        number = o.number,
        status = o.status,
        total = o.total,
        link = o.link,
        shop = o.shop,
    );
    let rows: String = o
        .lines
        .iter()
        .map(|(label, amount)| {
            format!(
                "<tr><td style=\"padding:4px 12px 4px 0\">{}</td><td style=\"text-align:right\">{}</td></tr>\n",
                escape(label),
                escape(amount)
            )
        })
        .collect();
    let tracking_html = o
        .tracking_number
        .map(|t| format!("<p>Tracking number: <strong>{}</strong></p>\n", escape(t)))
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif;color:#1c1917\">\n\
         <p>Hello {name},</p>\n<p>{lead}</p>\n\
         <h2 style=\"font-size:16px\">Order {number} ({status})</h2>\n<table>\n{rows}\
         <tr><th style=\"text-align:left;padding-top:8px\">Total</th><th style=\"text-align:right;padding-top:8px\">{total}</th></tr>\n</table>\n\
         {tracking_html}<p>{next}</p>\n\
         <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 16px;background:#1c1917;color:#fff;text-decoration:none;border-radius:4px\">View your order</a></p>\n\
         <p>The {shop} team</p></body></html>",
        name = escape(o.name),
        lead = escape(lead),
        number = escape(o.number),
        status = escape(o.status),
        total = escape(&o.total),
        next = escape(next),
        link = escape(o.link),
        shop = escape(o.shop),
    );
    Mail {
        to: o.to.to_owned(),
        subject,
        text,
        html,
    }
}

/// Confirms a new order, with how to pay.
pub fn order_placed(o: &OrderFacts<'_>) -> Mail {
    about_order(
        o,
        format!("Your {} order {}", o.shop, o.number),
        "Thank you for your order. Here is what you bought.",
        o.payment,
    )
}

/// Tells the customer their order moved (paid, shipped, delivered, cancelled).
pub fn order_status_changed(o: &OrderFacts<'_>, note: &str) -> Mail {
    let lead = format!("Your order {} is now: {}.", o.number, o.status.to_lowercase());
    let next = if note.is_empty() {
        "Thank you for shopping with us."
    } else {
        note
    };
    about_order(o, format!("Order {}: {}", o.number, o.status), &lead, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_have_both_parts_and_escape_names() {
        let mail = verify_email(&Recipient {
            shop: "Oxcart",
            to: "a@example.com",
            name: "<b>Ann</b>",
            link: "http://shop/verify?token=x&y",
        });
        assert!(mail.text.contains("http://shop/verify?token=x&y"));
        assert!(mail.text.contains("<b>Ann</b>"), "plain text is not escaped");
        assert!(mail.html.contains("&lt;b&gt;Ann&lt;/b&gt;"));
        assert!(!mail.html.contains("<b>Ann"));
        assert!(mail.html.contains("token=x&amp;y"));
    }

    #[tokio::test]
    async fn outbox_writes_a_multipart_eml() {
        let dir = std::env::temp_dir().join(format!("oxcart-outbox-{}", uuid::Uuid::now_v7()));
        let mailer = Mailer::outbox(&dir, "Oxcart <shop@example.com>").unwrap();
        let mail = reset_password(&Recipient {
            shop: "Oxcart",
            to: "bob@example.com",
            name: "Bob",
            link: "http://shop/reset?token=abc",
        });
        mailer.send(&mail).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert!(raw.contains("To: bob@example.com"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain") && raw.contains("text/html"), "{raw}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_addresses_are_refused() {
        assert!(matches!(
            Mailer::outbox("/tmp", "not an address"),
            Err(MailError::Address(_))
        ));
    }
}
