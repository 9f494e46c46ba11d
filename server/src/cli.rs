//! The command line: `serve` (the default), `migrate`, `user create|set-password`, `demo`,
//! `token create`, `backup`, `restore`. Every command reads the same configuration as `serve` and, with the embedded
//! database, uses the cluster a running server already started on the same data folder.

use std::{io::IsTerminal, sync::Arc};

use anyhow::{Context, bail};
use backend::{
    actor::Actor,
    config::Config,
    engine::{Clock, Job, SystemClock},
    services,
};
use clap::{Args, Parser, Subcommand};
use domain::{ApiTokenLabel, Email, NewUser, Password, PersonName, Role, TimeZoneName};
use tokio::net::TcpListener;

use crate::{
    database::{Database, write_private},
    embedded_pg::Mode,
    startup::{Application, Options},
};

#[derive(Parser, Debug)]
#[command(name = "tocsin", version, about = "Tocsin: self-hosted incident management", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server and the API (the default command)
    Serve(ServeArgs),
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Load demo data (users in three time zones, teams, services) into an empty database
    Demo,
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a backup of the whole database to FILE (pg_dump's custom format); safe while
    /// servers run
    Backup {
        /// Where the backup goes; replaced only once the new one is complete
        file: std::path::PathBuf,
    },
    /// The public status page
    #[command(subcommand)]
    StatusPage(StatusPageCommand),
    /// Restore a backup made by `tocsin backup` into an empty data folder or database
    Restore {
        /// The backup to restore
        file: std::path::PathBuf,
        /// Replace everything in a database that already has data (stop every server first)
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatusPageCommand {
    /// Write the public status page as static files (page, history, incidents, JSON, feeds, with
    /// relative links) and publish them at DIR, a symbolic link swapped in one step; to serve
    /// from another host while Tocsin is down. `TOCSIN_STATUS_EXPORT_DIR` does it after every
    /// change.
    Export {
        /// Where the export is published (a new path, or one an earlier export made)
        dir: std::path::PathBuf,
    },
}

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Load demo data at start if the database has no users yet
    #[arg(long)]
    pub demo: bool,
    /// Serve the web app and API only: another instance runs the engine (alert processing,
    /// escalation, deliveries, handoffs)
    #[arg(long)]
    pub no_engine: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input
    Create {
        /// Their email address, which is also their login
        #[arg(long)]
        email: String,
        /// Their name as others see it
        #[arg(long)]
        name: String,
        /// admin, responder or viewer
        #[arg(long)]
        role: String,
        /// IANA time zone, e.g. Europe/London
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Set a user's password; the new password is read from standard input
    SetPassword {
        /// The user's email address
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (once)
    Create {
        /// The user the token acts as
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "deploy script"
        #[arg(long)]
        label: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    backend::telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(config, args).await,
        Command::StatusPage(StatusPageCommand::Export { dir }) => export_status_page(config, &dir).await,
        command => {
            let db = Database::open(&config, Mode::Client).await?;
            let result = run_command(&config, &db, command).await;
            db.close().await;
            result
        }
    }
}

async fn run_command(config: &Config, db: &Database, command: Command) -> anyhow::Result<()> {
    let pool = &db.pool;
    // A backup takes the database as it is; a restore brings its own schema and migrates after.
    match &command {
        Command::Backup { file } => {
            crate::backup::backup(&db.url, file).await?;
            println!("backup written to {}", file.display());
            return Ok(());
        }
        Command::Restore { file, replace } => {
            crate::backup::restore(pool, &db.url, file, *replace).await?;
            println!("restored {}", file.display());
            return Ok(());
        }
        _ => {}
    }
    backend::db::migrate(pool).await?;
    match command {
        Command::Serve(_) => unreachable!("handled by run"),
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("handled above"),
        Command::StatusPage(_) => unreachable!("handled by run"),
        Command::Migrate => {
            println!("migrations applied");
        }
        Command::User(UserCommand::Create { email, name, role, time_zone }) => {
            let user = NewUser {
                email: Email::parse(&email)?,
                name: PersonName::parse(&name)?,
                role: role.parse::<Role>()?,
                time_zone: TimeZoneName::parse(&time_zone)?,
            };
            let password = read_password("Password for the new user: ")?;
            let created = services::users::create_user(pool, &Actor::cli(), &user, &password).await?;
            println!("created {} ({}) with id {}", created.email, created.role, created.id);
        }
        Command::User(UserCommand::SetPassword { email }) => {
            let email = Email::parse(&email)?;
            let password = read_password("New password: ")?;
            services::users::set_password(pool, &Actor::cli(), email.as_str(), &password, SystemClock.now())
                .await?;
            println!("password changed for {email}");
        }
        Command::Demo => {
            let now = SystemClock.now();
            let creds = services::demo::load_demo(
                pool,
                config.admin_email.as_ref(),
                config.admin_password.as_ref(),
                now,
            )
            .await?;
            remember_demo_credentials(config, &creds)?;
            print_demo_credentials(config, &creds.admin_email, &creds.password);
        }
        Command::Token(TokenCommand::Create { email, label }) => {
            let email = Email::parse(&email)?;
            let label = ApiTokenLabel::parse(&label)?;
            let mut conn = pool.acquire().await?;
            let user = backend::db::users::by_email(&mut conn, email.as_str())
                .await?
                .with_context(|| format!("no user with email {email}"))?;
            drop(conn);
            let created =
                services::tokens::create_token(pool, &Actor::cli(), user.id, &label, None, SystemClock.now())
                    .await?;
            // The token alone on stdout, so scripts can capture it.
            println!("{}", created.token);
        }
    }
    Ok(())
}

fn read_password(prompt: &str) -> anyhow::Result<Password> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    Ok(Password::parse(&text)?)
}

const DEMO_FILE: &str = "demo-credentials.txt";

fn remember_demo_credentials(config: &Config, creds: &services::demo::DemoCredentials) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    write_private(&config.data_dir.join(DEMO_FILE), &format!("{}\n{}\n", creds.admin_email, creds.password))
}

fn print_demo_credentials(config: &Config, email: &str, password: &str) {
    println!();
    println!("  Tocsin demo is ready at {}/", config.public_url);
    println!("  Log in as {email} with password {password}");
    println!("  (every demo user, e.g. priya@example.com, has the same password)");
    println!();
}

/// `tocsin status-page export DIR`: the page as a server would render it, from the database.
async fn export_status_page(config: Config, dir: &std::path::Path) -> anyhow::Result<()> {
    let database = Database::open(&config, Mode::Client).await?;
    backend::db::migrate(&database.pool).await?;
    let options = Options { clock: Arc::new(SystemClock), jobs: vec![] };
    let app = Application::build(Config { status_export_dir: None, ..config }, database, options)?;
    let result = crate::status_export::export(app.state(), &app.router(), dir).await;
    app.stop().await;
    let files = result?;
    println!("status page exported: {files} files at {}", dir.display());
    Ok(())
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen).await.with_context(|| {
        format!("TOCSIN_LISTEN: cannot listen on {} (is another server running there?)", config.listen)
    })?;
    let database = Database::open(&config, Mode::Owner).await?;
    let pool = database.pool.clone();
    let jobs = if args.no_engine { vec![] } else { Job::ALL.to_vec() };
    let options = Options { clock: Arc::new(SystemClock), jobs };
    let app = Application::build(config.clone(), database, options)?;

    // Migrations and first-run data happen after the listener is up, so /readyz can say 503 while
    // another instance holds the migration lock. A failure there stops the server.
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel::<anyhow::Error>();
    let prep_config = config.clone();
    tokio::spawn(async move {
        if let Err(e) = prepare(&pool, &prep_config, args.demo).await {
            let _ = fatal_tx.send(e);
        }
    });
    tracing::info!(url = %config.public_url, listen = %config.listen, "Tocsin is listening");
    let fatal = Arc::new(std::sync::Mutex::new(None));
    let fatal_slot = fatal.clone();
    let shutdown = async move {
        tokio::select! {
            () = shutdown_signal() => {}
            Ok(e) = fatal_rx => {
                tracing::error!(error = %format!("{e:#}"), "start-up failed; shutting down");
                *fatal_slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            }
        }
    };
    app.run(listener, shutdown).await?;
    match fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Applies migrations, then makes sure someone can log in: the demo users with `--demo`, else a
/// first admin from the configuration (with a generated password printed once).
async fn prepare(pool: &sqlx::PgPool, config: &Config, demo: bool) -> anyhow::Result<()> {
    backend::db::migrate(pool).await?;
    tracing::info!("database migrations applied");
    if demo {
        let now = SystemClock.now();
        match services::demo::load_demo(
            pool,
            config.admin_email.as_ref(),
            config.admin_password.as_ref(),
            now,
        )
        .await
        {
            Ok(creds) => {
                remember_demo_credentials(config, &creds)?;
                print_demo_credentials(config, &creds.admin_email, &creds.password);
                return Ok(());
            }
            Err(backend::Error::Conflict(_)) => {
                if let Ok(text) = std::fs::read_to_string(config.data_dir.join(DEMO_FILE)) {
                    let mut lines = text.lines();
                    if let (Some(email), Some(password)) = (lines.next(), lines.next()) {
                        print_demo_credentials(config, email, password);
                    }
                }
                return Ok(());
            }
            Err(e) => bail!("loading demo data: {e:#}"),
        }
    }
    if let Some(admin) = services::bootstrap::ensure_first_admin(
        pool,
        config.admin_email.as_ref(),
        config.admin_password.as_ref(),
    )
    .await?
    {
        println!();
        println!("  Created the first admin: {}", admin.email);
        if let Some(password) = admin.generated_password {
            println!("  Generated password (shown once): {password}");
        }
        println!();
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
