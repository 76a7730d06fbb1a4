//! The `server` binary: `serve` (default), `migrate`, `seed`, `create-admin` and `search reindex`.

use std::process::ExitCode;

use app::domain::identity::{RegisterInput, Role};
use app::services::catalog::{self, SeedOutcome};
use app::services::identity;
use clap::{Parser, Subcommand};
use server::{Application, Settings, db, startup, telemetry};

#[derive(Parser)]
#[command(name = "server", about = "The Oxcart shop server", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the shop (the default): storefront, admin, /api/v1, /health.
    Serve,
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Fill an empty catalogue with demo products (does nothing if any product exists): eight
    /// hand-written ones and `--products N` generated ones.
    Seed {
        #[arg(long, default_value_t = 0)]
        products: usize,
    },
    /// Search index commands (Meilisearch).
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Create an administrator. The password comes from OXCART_ADMIN_PASSWORD or a prompt,
    /// never from the command line (it would land in shell history and `ps`).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the whole Meilisearch index from the catalogue into a new index, swapped in when
    /// complete (search keeps answering from the old one meanwhile), printing progress.
    Reindex {
        /// Documents per write.
        #[arg(long, default_value_t = 2000)]
        batch: i64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log.format, &settings.log.filter);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(settings).await,
        Command::Seed { products } => seed(settings, products).await,
        Command::CreateAdmin { email, name } => create_admin(settings, email, name).await,
        Command::Search {
            command: SearchCommand::Reindex { batch },
        } => reindex(settings, batch).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    let app = Application::build(settings.clone()).await.map_err(|e| e.to_string())?;
    // The line scripts and people look for; the port is the bound one (OXCART_PORT=0 works).
    println!("Oxcart listening on http://{}:{}", settings.http.host, app.port());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(settings: Settings) -> Result<(), String> {
    let created = db::ensure_database(&settings).await.map_err(|e| e.to_string())?;
    let pool = db::pool(&settings).map_err(|e| e.to_string())?;
    db::migrate(&pool).await.map_err(|e| e.to_string())?;
    println!("{}database migrated", if created { "database created; " } else { "" });
    Ok(())
}

async fn seed(settings: Settings, generated: usize) -> Result<(), String> {
    let addr = std::net::SocketAddr::new(settings.http.host, settings.http.port);
    let state = startup::build_state(&settings, addr).await.map_err(|e| e.to_string())?;
    match catalog::seed_demo_catalog(&state, generated)
        .await
        .map_err(|e| e.to_string())?
    {
        SeedOutcome::Seeded { products } => println!("seeded {products} demo products"),
        SeedOutcome::AlreadyHadProducts => {
            println!("catalogue already has products; nothing seeded")
        }
    }
    Ok(())
}

async fn reindex(settings: Settings, batch: i64) -> Result<(), String> {
    let addr = std::net::SocketAddr::new(settings.http.host, settings.http.port);
    let state = startup::build_state(&settings, addr).await.map_err(|e| e.to_string())?;
    app::services::search::prepare_index(&state)
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let progress = |done: u64, total: u64| {
        let percent = if total == 0 {
            100.0
        } else {
            done as f64 * 100.0 / total as f64
        };
        eprintln!(
            "indexed {done} / {total} products ({percent:.0}%), {:.1} s",
            started.elapsed().as_secs_f64()
        );
    };
    let done = app::services::search::reindex(&state, batch.clamp(1, 100_000), &progress)
        .await
        .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reindexed {done} products in {secs:.1} s ({:.0} products/s); the new index is live",
        done as f64 / secs.max(0.001)
    );
    Ok(())
}

async fn create_admin(settings: Settings, email: String, name: String) -> Result<(), String> {
    let password = match std::env::var("OXCART_ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => {
            let first = rpassword::prompt_password("Password for the new admin: ").map_err(|e| e.to_string())?;
            let again = rpassword::prompt_password("Repeat it: ").map_err(|e| e.to_string())?;
            if first != again {
                return Err("the passwords differ".into());
            }
            first
        }
    };
    let addr = std::net::SocketAddr::new(settings.http.host, settings.http.port);
    let state = startup::build_state(&settings, addr).await.map_err(|e| e.to_string())?;
    let input = RegisterInput {
        email,
        display_name: name,
        password,
    };
    match identity::create_user_with_role(&state, input, Role::Admin).await {
        Ok(user) => {
            println!("created admin {} ({})", user.email, user.id.0);
            Ok(())
        }
        Err(err) => {
            let err = app::error::AppError::from(err);
            let details = err
                .details
                .unwrap_or_default()
                .into_iter()
                .map(|(field, messages)| format!("{field} {}", messages.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            Err(if details.is_empty() {
                err.message
            } else {
                format!("{}: {details}", err.message)
            })
        }
    }
}
