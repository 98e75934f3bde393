//! `khlang`: the server and its operator commands in one binary.

use clap::{Parser, Subcommand};
use khlang::{Config, StartError};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "khlang",
    version,
    about = "คลัง — ระบบคลังความรู้และนวัตกรรม (knowledge repository for Thai agencies)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web site and API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the effective configuration (passwords masked).
    Config,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Publish sample knowledge items cut from the seed documents (owned by the first administrator).
    Demo,
    /// Copy the embedded database and all files into DIR (safe while the server runs).
    Backup { dir: PathBuf },
    /// Replace the embedded database and files with the backup in DIR (stop the server first).
    Restore { dir: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; asks for the password on a terminal.
    Create {
        username: String,
        /// Make the account a site administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from one line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
        /// Name shown to others (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for USERNAME and print it alone on standard output.
    Create { username: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("khlang: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("khlang: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

async fn run(cli: Cli) -> Result<(), StartError> {
    let config = Config::load()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Config => {
            print!("{}", config.to_masked_toml());
            Ok(())
        }
        Command::Migrate => {
            let db = khlang_store::connect(&config.database_url()).await?;
            khlang_store::migrate(&db).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    admin,
                    password_stdin,
                    display_name,
                },
        } => {
            let password = read_password(password_stdin)?;
            let rt = khlang::open(config).await?;
            rt.bootstrap().await?;
            let user = rt
                .core
                .create_user_from_console(
                    &username,
                    display_name.as_deref().unwrap_or(&username),
                    &password,
                    admin,
                )
                .await
                .map_err(|e| StartError::Other(describe(&e)))?;
            eprintln!(
                "created user {} (id {}){}",
                user.username,
                user.id,
                if admin { " as site administrator" } else { "" }
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Token {
                    command: TokenCommand::Create { username },
                },
        } => {
            let rt = khlang::open(config).await?;
            let (_, secret) = rt
                .core
                .create_token_from_console(&username)
                .await
                .map_err(|e| StartError::Other(describe(&e)))?;
            println!("{}", secret.expose());
            Ok(())
        }
        Command::Demo => {
            let rt = khlang::open(config).await?;
            rt.bootstrap().await?;
            let admin = rt
                .core
                .first_site_admin()
                .await
                .map_err(|e| StartError::Other(describe(&e)))?;
            let n = rt
                .core
                .load_demo(admin)
                .await
                .map_err(|e| StartError::Other(describe(&e)))?;
            eprintln!("demo: {n} sample items published");
            Ok(())
        }
        Command::Backup { dir } => {
            let rt = khlang::open(config).await?;
            let s = khlang::backup::backup(&rt, &dir)
                .await
                .map_err(|e| StartError::Other(format!("backup: {e}")))?;
            eprintln!(
                "backup written to {}: database + {} files ({} bytes)",
                dir.display(),
                s.files,
                s.bytes
            );
            Ok(())
        }
        Command::Restore { dir } => {
            let s = khlang::backup::restore(&config, &dir)
                .await
                .map_err(|e| StartError::Other(format!("restore: {e}")))?;
            eprintln!(
                "restored from {}: database + {} files ({} bytes)",
                dir.display(),
                s.files,
                s.bytes
            );
            Ok(())
        }
    }
}

/// Domain errors for the console: the Thai message plus field details.
fn describe(e: &khlang_core::DomainError) -> String {
    match e {
        khlang_core::DomainError::Invalid(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        khlang_core::DomainError::NotFound => "ไม่พบผู้ใช้นี้ (user not found)".into(),
        other => other.to_string(),
    }
}

fn read_password(from_stdin: bool) -> Result<String, StartError> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        if !from_stdin {
            return Err(StartError::Other(
                "no terminal to ask for a password; use --password-stdin".into(),
            ));
        }
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| StartError::Other(format!("reading password: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("รหัสผ่าน (password): ")
        .map_err(|e| StartError::Other(e.to_string()))?;
    let second = rpassword::prompt_password("ยืนยันรหัสผ่าน (again): ")
        .map_err(|e| StartError::Other(e.to_string()))?;
    if first != second {
        return Err(StartError::Other(
            "รหัสผ่านทั้งสองครั้งไม่ตรงกัน (passwords differ)".into(),
        ));
    }
    Ok(first)
}

async fn serve(config: Config) -> Result<(), StartError> {
    init_tracing(&config);
    let listen = config.listen.clone();
    // Held until the process ends: `restore` checks it, not the listen address.
    let _lock = khlang::lock::DataLock::serving(&config)?;
    let rt = khlang::open(config).await?;
    let boot = rt.bootstrap().await?;
    if boot.units_added > 0 {
        tracing::info!(units = boot.units_added, "reference units loaded");
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| StartError::Listen(listen.clone(), e))?;
    let base = rt.config.public_base_url();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "khlang กำลังทำงานที่ {base}  (database: {}, files: {})",
        khlang_store::redact_url(&rt.config.database_url()),
        rt.blobs.description()
    );
    if let Some(link) = rt.setup_link(&boot) {
        let _ = writeln!(
            out,
            "\nยังไม่มีผู้ดูแลระบบ — เปิดลิงก์นี้เพื่อสร้างบัญชีผู้ดูแลระบบคนแรก (ใช้ได้ครั้งเดียว):"
        );
        let _ = writeln!(
            out,
            "No administrator yet — open this one-time link to create the first one:\n\n    {link}\n"
        );
    }
    drop(out);
    rt.serve(listener, khlang::shutdown_signal()).await
}
