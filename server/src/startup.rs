//! Start-up: from settings to a bound, running server. `Application::build` prepares the database
//! (created if missing, migrated), the cache and the router, and binds; `port()` tells where
//! (port 0 lets the OS choose, as tests do); `run_until_stopped` serves until SIGINT/SIGTERM and
//! lets in-flight requests finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::adapters::cache::Cache;
use app::adapters::jobs::{self, JobContext};
use app::adapters::mail::Mailer;
use app::adapters::media::{MediaStore, S3Config};
use app::adapters::rate_limit::RateLimiter;
use app::adapters::search::SearchEngine;
use app::adapters::sessions::SessionBackend;
use app::auth::AuthConfig;
use app::state::{AppState, ShopConfig};
use axum::Router;
use axum::serve::ListenerExt;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::{self, DbError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("Redis is not reachable at REDIS_URL ({0}). Start it or unset REDIS_URL to use the in-process cache.")]
    Redis(app::adapters::cache::CacheError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("MEILISEARCH_URL is not usable: {0}")]
    Search(app::adapters::search::MeiliError),
    #[error("the media store is not usable: {0}")]
    Media(#[from] app::adapters::media::MediaError),
    #[error("mail is misconfigured: {0}")]
    Mail(#[from] app::adapters::mail::MailError),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    shutdown_timeout: Duration,
    mailer: Mailer,
    job_workers: usize,
    schedule: Vec<app::services::scheduler::Recurring>,
    scheduler_tick: Duration,
}

/// Where browser sessions live: Redis when the cache is Redis, PostgreSQL otherwise.
pub fn session_backend(state: &AppState) -> SessionBackend {
    match &state.cache {
        Cache::Redis(_) => SessionBackend::Redis(state.cache.clone()),
        Cache::Memory(_) => SessionBackend::Postgres(state.db.clone()),
    }
}

/// Deletes what has outlived its use every `period`: expired sessions (PostgreSQL store) and
/// finished jobs. Failures are logged and tried again next time.
async fn housekeeping(state: AppState, period: Duration) {
    let sessions = session_backend(&state);
    let mut interval = tokio::time::interval(period);
    let report = |chore: &'static str, result: Result<u64, sqlx::Error>| match result {
        Ok(0) => {}
        Ok(deleted) => tracing::info!(event = "housekeeping", chore, deleted, "deleted rows past their use"),
        Err(err) => tracing::warn!(event = "housekeeping_failed", chore, error = %err, "housekeeping failed"),
    };
    loop {
        interval.tick().await;
        report("expired_sessions", sessions.delete_expired().await);
        report("finished_jobs", jobs::delete_finished(&state.db).await);
    }
}

/// Where product images are stored: S3-compatible storage when configured, `MEDIA_DIR` otherwise.
pub fn media_store(settings: &Settings) -> Result<MediaStore, StartupError> {
    Ok(match &settings.media.s3 {
        Some(s3) => MediaStore::s3(&S3Config {
            bucket: s3.bucket.clone(),
            region: s3.region.clone(),
            endpoint: s3.endpoint.clone(),
            access_key_id: s3.access_key_id.clone(),
            secret_access_key: s3.secret_access_key.as_ref().map(|s| s.expose().clone()),
        })?,
        None => MediaStore::local(&settings.media.dir)?,
    })
}

/// Where the shop's mail goes: SMTP when configured, the outbox directory otherwise.
pub fn mailer(settings: &Settings) -> Result<Mailer, StartupError> {
    Ok(match &settings.mail.smtp_url {
        Some(url) => Mailer::smtp(url.expose(), &settings.mail.from)?,
        None => Mailer::outbox(&settings.mail.outbox_dir, &settings.mail.from)?,
    })
}

/// The Leptos options for the built site under `settings.http.site_root`. Hashed file names are used
/// when cargo-leptos left its hash file next to the binary.
pub fn leptos_options(settings: &Settings, addr: SocketAddr) -> LeptosOptions {
    let hash_file = "hash.txt";
    let hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(hash_file).exists()))
        .unwrap_or(false);
    LeptosOptions::builder()
        .output_name("oxcart")
        .site_root(settings.http.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_files)
        .hash_file(std::sync::Arc::from(hash_file))
        .build()
}

/// Connects to everything the shop needs: the database (created and migrated) and the cache.
pub async fn build_state(settings: &Settings, addr: SocketAddr) -> Result<AppState, StartupError> {
    if db::ensure_database(settings).await? {
        tracing::info!(event = "database_created", "created the database");
    }
    let pool = db::pool(settings)?;
    db::migrate(&pool).await?;
    let cache = match &settings.cache.redis_url {
        Some(url) => Cache::redis(url.expose(), &settings.cache.namespace, Duration::from_secs(2))
            .await
            .map_err(StartupError::Redis)?,
        None => Cache::memory(settings.cache.max_entries),
    };
    let search = match &settings.search.meilisearch_url {
        Some(url) => SearchEngine::meilisearch(
            url,
            settings.search.meilisearch_key.as_ref().map(|k| k.expose().as_str()),
            &settings.search.meilisearch_index,
            settings.search.meilisearch_timeout,
            settings.search.postings_budget,
        )
        .map_err(StartupError::Search)?,
        None => SearchEngine::postgres(settings.search.postings_budget),
    };
    let media = media_store(settings)?;
    // A missing bucket or wrong credentials stop start-up here, not the first upload.
    media.check().await?;
    let jwt_secret = match &settings.auth.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => {
            tracing::warn!(
                event = "jwt_secret_generated",
                "JWT_SECRET is not set: using a random key; tokens will not survive a restart or work across instances"
            );
            app::auth::tokens::random_token().into_bytes()
        }
    };
    let auth = AuthConfig {
        jwt_secret,
        access_ttl: settings.auth.access_token_ttl,
        refresh_ttl: settings.auth.refresh_token_ttl,
    };
    Ok(AppState {
        db: pool,
        limiter: RateLimiter::new(cache.clone(), settings.auth.rate_limits),
        auth: Arc::new(auth),
        cache,
        media,
        search,
        shop: Arc::new(ShopConfig {
            name: settings.shop.name.clone(),
            currency: settings.shop.currency.clone(),
            public_url: settings
                .http
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}")),
        }),
    })
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_routes(settings, Router::new()).await
    }

    /// Like [`Application::build`], with `extra` routes served behind the same middleware (for
    /// embedding the shop in a larger service, and for tests of the middleware itself).
    pub async fn build_with_routes(settings: Settings, extra: Router<AppState>) -> Result<Self, StartupError> {
        let addr = SocketAddr::new(settings.http.host, settings.http.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { addr, source })?;
        let state = build_state(&settings, local).await?;
        let mailer = mailer(&settings)?;
        let options = leptos_options(&settings, local);
        let router = crate::middleware::apply(
            crate::routes::router(state.clone(), options, &settings, extra),
            &settings,
        );
        tracing::info!(event = "started", cache = state.cache.kind(), media = state.media.kind(), search = state.search.kind(), mail = mailer.kind(), job_workers = settings.jobs.workers, addr = %local, "Oxcart is ready");
        Ok(Self {
            listener,
            router,
            state,
            shutdown_timeout: settings.http.shutdown_timeout,
            mailer,
            job_workers: settings.jobs.workers,
            schedule: app::services::scheduler::schedule(app::services::scheduler::ScheduleSettings {
                unpaid_order_timeout: settings.jobs.unpaid_order_timeout,
            }),
            scheduler_tick: settings.jobs.scheduler_tick,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves (and runs the background job workers, unless switched off) until `signal`
    /// completes, then stops accepting connections and gives in-flight requests and jobs up to
    /// the configured shutdown timeout to finish.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let (workers_stop_tx, workers_stop_rx) = tokio::sync::oneshot::channel::<()>();
        let workers = (self.job_workers > 0).then(|| {
            tokio::spawn(jobs::run_workers(
                self.state.db.clone(),
                JobContext {
                    mailer: self.mailer.clone(),
                    state: self.state.clone(),
                },
                self.job_workers,
                self.shutdown_timeout,
                async move {
                    let _ = workers_stop_rx.await;
                },
            ))
        });
        let housekeeping = tokio::spawn(housekeeping(self.state.clone(), Duration::from_secs(600)));
        // Meilisearch may be down or slow: the shop serves (from PostgreSQL) while it gets ready.
        // The PostgreSQL engine reads its catalogue meanwhile.
        let search_ready = {
            let state = self.state.clone();
            tokio::spawn(async move {
                if app::services::search::prepare_index(&state).await.is_ok() {
                    app::services::search::request_sync(&state).await;
                }
                app::services::search::warm(&state).await;
            })
        };
        let scheduler = (!self.scheduler_tick.is_zero()).then(|| {
            tokio::spawn(app::services::scheduler::run(
                self.state.clone(),
                self.schedule.clone(),
                self.scheduler_tick,
            ))
        });
        let graceful = async move {
            signal.await;
            housekeeping.abort();
            search_ready.abort();
            if let Some(scheduler) = scheduler {
                scheduler.abort();
            }
            tracing::info!(event = "stopping", "shutdown requested; finishing in-flight requests");
            let _ = stopping_tx.send(());
            let _ = workers_stop_tx.send(());
        };
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        // Without TCP_NODELAY a response written in two parts (headers, then a file's body) waits
        // for the client's delayed ACK: ~40 ms per static file (see BENCHMARKS.md).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::warn!(event = "nodelay_failed", error = %err, "could not set TCP_NODELAY");
            }
        });
        let server = axum::serve(listener, service).with_graceful_shutdown(graceful);
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(self.shutdown_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let served = tokio::select! {
            result = server => result,
            () = deadline => {
                tracing::warn!(event = "shutdown_timeout", "in-flight requests did not finish in time");
                Ok(())
            }
        };
        if let Some(workers) = workers {
            match workers.await {
                Ok(Err(err)) => {
                    tracing::error!(event = "workers_failed", error = %err, "job workers stopped with an error")
                }
                Err(err) => tracing::error!(event = "workers_failed", error = %err, "job workers panicked"),
                Ok(Ok(())) => {}
            }
        }
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
