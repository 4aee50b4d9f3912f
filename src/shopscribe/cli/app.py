"""The `shopscribe` command."""

from __future__ import annotations

import typer

from shopscribe.cli import claims, compliance, critic, jobs, keys, models, reviews, verifier
from shopscribe.cli.evaluate import evaluate_command
from shopscribe.cli.batch import batch_command
from shopscribe.cli.generate import generate_command
from shopscribe.cli.optimize import optimize_command
from shopscribe.cli.quickstart import quickstart_command
from shopscribe.cli.review import export_command, retrain_command
from shopscribe.cli.serve import serve_command
from shopscribe.cli.train import prefer_command, train_command
from shopscribe.cli.validate import validate_command

app = typer.Typer(help="ShopScribe: fine-tune small language models on your catalog and write product copy.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command("quickstart")(quickstart_command)
app.command("train")(train_command)
app.command("prefer")(prefer_command)
app.command("generate")(generate_command)
app.command("batch")(batch_command)
app.command("evaluate")(evaluate_command)
app.command("validate")(validate_command)
app.add_typer(models.app, name="models")
app.add_typer(critic.app, name="critic")
app.add_typer(verifier.app, name="verifier")
app.add_typer(claims.app, name="claims")
app.add_typer(compliance.app, name="compliance")
app.add_typer(reviews.sentiment_app, name="sentiment")
app.command("insights")(reviews.insights_command)
app.command("optimize")(optimize_command)
app.command("serve")(serve_command)
app.add_typer(keys.app, name="keys")
app.add_typer(jobs.app, name="jobs")
app.command("worker")(jobs.worker_command)
app.command("export")(export_command)
app.command("retrain")(retrain_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
