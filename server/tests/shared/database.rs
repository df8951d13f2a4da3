//! Shared by the test binaries (`api`, `process`), included with `#[path]`: the database a
//! test runs on.

use std::path::Path;

/// A fresh, empty database for one test: a SQLite file in `dir`, or, with
/// `VITRINE_TEST_BACKEND=postgres`, a new database on the server `VITRINE_TEST_POSTGRES_URL`
/// names (scripts/with-postgres.sh starts one).
pub async fn database_url(dir: &Path) -> String {
    match std::env::var("VITRINE_TEST_BACKEND").as_deref() {
        Ok("postgres") => {
            let admin = std::env::var("VITRINE_TEST_POSTGRES_URL").expect(
                "VITRINE_TEST_BACKEND=postgres needs VITRINE_TEST_POSTGRES_URL (scripts/with-postgres.sh)",
            );
            sqlx::any::install_default_drivers();
            let name = format!("vitrine_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin_conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("PostgreSQL test server");
            sqlx::Executor::execute(&mut admin_conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let (base, _) = admin.rsplit_once('/').expect("URL with a database name");
            format!("{base}/{name}")
        }
        Ok("sqlite") | Err(_) => format!("sqlite://{}", dir.join("vitrine.db").display()),
        Ok(other) => panic!("VITRINE_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}
