//! Search on a real Meilisearch: the shared suite (`api/search_suite.rs`), plus what only an
//! external engine has — the index following writes through the job queue, a full reindex
//! while shoppers search, and the fallback to PostgreSQL while Meilisearch is unreachable
//! (at start-up too) with the catch-up after.
//!
//! The server binary is `MEILISEARCH_BIN`, else `meilisearch` on `PATH`. It is started once for
//! the run on a free loopback port, with a fresh data directory and a master key, and stopped
//! at the end; every test uses an index of its own. Without a binary every test is reported as
//! ignored (libtest-mimic), never as passed.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "api/search_suite.rs"]
mod search_suite;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};
use search_suite::Target;

/// The Meilisearch binary to test against, if there is one.
fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MEILISEARCH_BIN").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("meilisearch"))
            .find(|candidate| candidate.is_file())
    })
}

/// A Meilisearch process of this run.
struct MeiliServer {
    child: Child,
    url: String,
    key: String,
    dir: PathBuf,
}

impl MeiliServer {
    fn start(binary: &PathBuf) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("oxcart-meili-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = format!("test-master-key-{}", uuid::Uuid::new_v4().simple());
        let log = std::fs::File::create(dir.join("meilisearch.log")).unwrap();
        let child = Command::new(binary)
            .arg("--http-addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--master-key")
            .arg(&key)
            .arg("--db-path")
            .arg(dir.join("data.ms"))
            .arg("--dump-dir")
            .arg(dir.join("dumps"))
            .arg("--no-analytics")
            .arg("--env")
            .arg("development")
            .current_dir(&dir)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("meilisearch starts");
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            key,
            dir,
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let address = self.url.trim_start_matches("http://").to_owned();
        loop {
            use std::io::{Read, Write};
            if let Ok(mut stream) = std::net::TcpStream::connect(&address) {
                let _ = stream.write_all(b"GET /health HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.contains("available") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "Meilisearch did not become healthy; see {}",
                self.dir.join("meilisearch.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for MeiliServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A TCP relay in front of Meilisearch that a test opens and closes: closed, it drops every
/// connection, as an unreachable server would. Every byte goes to the real server.
struct Switch {
    port: u16,
    open: Arc<AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
}

impl Switch {
    async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let (generation, watch) = tokio::sync::watch::channel(0u64);
        let accepting = open.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut cut = watch.clone();
                // Only a cut after this connection was made ends it.
                cut.borrow_and_update();
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { port, open, generation }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn set_open(&self, open: bool) {
        self.open.store(open, Ordering::SeqCst);
        if !open {
            self.generation.send_modify(|g| *g += 1);
        }
    }
}

/// Staff add the product the tests below look for afterwards ("gilet" is in no fixture).
async fn add_gilet(app: &helpers::TestApp, staff: &str) {
    let response = helpers::send(
        app,
        reqwest::Method::POST,
        "/api/v1/products",
        staff,
        Some(serde_json::json!({"name": "Fleece Gilet", "status": "active",
            "variants": [{"sku": "GILET-1", "price": "55.00", "stock": 4}]})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
}

/// The index follows writes without anyone calling a sync: the job queue does it.
async fn follows_writes_through_the_queue(target: Target) {
    let app = target.spawn().await;
    let fixture = search_suite::fixture(&app).await;
    add_gilet(&app, &fixture.staff).await;
    // No sync is called here: the write enqueued one, which a worker runs.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if search_suite::names_for(&app, &target, "q=gilet").await == ["Fleece Gilet"] {
            break;
        }
        assert!(Instant::now() < deadline, "the index never took the new product");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A full reindex, one document per write, while shoppers search and staff write: every
/// search is answered by Meilisearch from a complete index, and afterwards the new index holds
/// everything, including what was written during the rebuild.
async fn reindex_while_searching(target: Target) {
    let app = target.spawn().await;
    let fixture = search_suite::fixture(&app).await;
    let done = AtomicBool::new(false);
    let rebuild = async {
        let count = app::services::search::reindex(&app.state, 1, &|_, _| {}).await;
        done.store(true, Ordering::SeqCst);
        count
    };
    let traffic = async {
        let mut searches = 0;
        let mut wrote = false;
        while !done.load(Ordering::SeqCst) {
            let body = search_suite::search(&app, &target, "").await;
            let total = body["meta"]["total"].as_u64().unwrap();
            assert!(
                total >= 5,
                "a search during the rebuild saw an incomplete index: {total}"
            );
            searches += 1;
            if !wrote {
                add_gilet(&app, &fixture.staff).await;
                wrote = true;
            }
        }
        searches
    };
    let (count, searches) = tokio::join!(rebuild, traffic);
    assert!(count.unwrap() >= 5);
    assert!(searches >= 1);
    search_suite::settle(&app).await;
    assert_eq!(
        search_suite::names_for(&app, &target, "q=gilet").await,
        ["Fleece Gilet"]
    );
    assert_eq!(search_suite::search(&app, &target, "").await["meta"]["total"], 6);
    // The old index was dropped after the swap.
    let meili = target.meili.clone().unwrap();
    let indexes: serde_json::Value = app
        .client
        .get(format!("{}/indexes?limit=1000", meili.0))
        .bearer_auth(&meili.1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own = app.state.search.meili().unwrap().index_name().to_owned();
    let leftovers: Vec<&str> = indexes["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["uid"].as_str())
        .filter(|uid| uid.starts_with(&format!("{own}_rebuild_")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Meilisearch unreachable: search answers from PostgreSQL (or the cache), `/health` says
/// degraded, a shop starting meanwhile starts; when it is back, what changed meanwhile is caught
/// up.
async fn falls_back_when_down_and_catches_up(server_url: String, key: String) {
    let switch = Switch::start(server_url.trim_start_matches("http://").to_owned()).await;
    let target = Target::meilisearch(&switch.url(), &key);
    let app = target.spawn().await;
    let fixture = search_suite::fixture(&app).await;
    let up = search_suite::search(&app, &target, "q=jacket").await;
    let expected = search_suite::names(&up);

    switch.set_open(false);
    // An answer already cached needs no engine; a query not asked yet is answered by PostgreSQL.
    let cached = search_suite::search_any(&app, "q=jacket").await;
    assert_eq!(search_suite::names(&cached), expected);
    let pg = Target::postgres();
    assert_eq!(
        search_suite::names_for(&app, &pg, "q=jacket&per_page=10").await,
        expected
    );
    let health: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["checks"]["search"]["status"], "degraded", "{health}");
    assert_eq!(health["checks"]["search"]["kind"], "meilisearch", "{health}");
    // A write while it is down is kept for later.
    add_gilet(&app, &fixture.staff).await;
    assert!(app::services::search::sync_index(&app.state).await.is_err());
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM search_outbox")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(pending >= 1);
    assert_eq!(search_suite::names_for(&app, &pg, "q=gilet").await, ["Fleece Gilet"]);
    // A second instance starting now starts, and answers from PostgreSQL.
    let second = helpers::spawn_app_on(
        &app.database_url,
        &app.db_name,
        |s| {
            s.search.meilisearch_url = Some(switch.url());
            s.search.meilisearch_key = Some(server::config::Secret::new(key.clone()));
            s.search.meilisearch_index = app.state.search.meili().unwrap().index_name().to_owned();
        },
        axum::Router::new(),
    )
    .await;
    assert_eq!(search_suite::names_for(&second, &pg, "q=gilet").await, ["Fleece Gilet"]);

    // Back: the catch-up sends what the index missed, and Meilisearch answers again.
    switch.set_open(true);
    search_suite::settle(&app).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = search_suite::search_any(&app, "q=gilet").await;
        if body["meta"]["engine"] == "meilisearch" {
            assert_eq!(search_suite::names(&body), ["Fleece Gilet"]);
            break;
        }
        assert!(Instant::now() < deadline, "Meilisearch never answered again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let health: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["checks"]["search"]["status"], "up", "{health}");
}

fn run(test: impl std::future::Future<Output = ()>) -> Result<(), Failed> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(test);
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let binary = binary();
    let server = binary.as_ref().map(|b| Arc::new(MeiliServer::start(b)));
    let target = || {
        let server = server.as_ref().expect("a Meilisearch server");
        Target::meilisearch(&server.url, &server.key)
    };
    let mut trials = Vec::new();
    macro_rules! suite_case {
        ($name:ident, $path:path) => {{
            let target = server.as_ref().map(|_| target());
            trials.push(Trial::test(stringify!($name), move || {
                run($path(target.expect("server")))
            }));
        }};
    }
    suite_case!(relevance_typos_and_prefixes, search_suite::relevance_typos_and_prefixes);
    suite_case!(filters_and_drafts, search_suite::filters_and_drafts);
    suite_case!(facet_counts_match_sql, search_suite::facet_counts_match_sql);
    suite_case!(sorting_and_pagination, search_suite::sorting_and_pagination);
    suite_case!(
        highlights_suggestions_and_did_you_mean,
        search_suite::highlights_suggestions_and_did_you_mean
    );
    suite_case!(index_follows_writes, search_suite::index_follows_writes);
    suite_case!(follows_writes_through_the_queue, follows_writes_through_the_queue);
    suite_case!(reindex_while_searching, reindex_while_searching);
    {
        let meili = server.as_ref().map(|s| (s.url.clone(), s.key.clone()));
        trials.push(Trial::test("falls_back_when_down_and_catches_up", move || {
            let (url, key) = meili.expect("server");
            run(falls_back_when_down_and_catches_up(url, key))
        }));
    }
    if server.is_none() {
        eprintln!("no Meilisearch binary (MEILISEARCH_BIN or `meilisearch` on PATH): its tests are ignored");
        trials = trials.into_iter().map(|t| t.with_ignored_flag(true)).collect();
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(server);
    conclusion.exit();
}
