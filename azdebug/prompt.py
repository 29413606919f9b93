"""Asking the user: the answer to a `request` (text, attached files, environment) and yes/no questions.

Input is read line by line from a text stream (a terminal or a script's pipe alike). Commands are
whole lines starting with ':' and are only these: :file, :env, :quit, :help; every other line is
answer text, so pasted output is sent as it is."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, TextIO

from azdebug import inputs
from azdebug.arguments import ANSWER_HELP, env_pair, file_spec
from azdebug.limits import MAX_ANSWER_CHARS, continue_problems

END_OF_ANSWER = "."


@dataclass
class Answer:
    """What the user gave for a request: free text and the `context` to merge."""

    text: str = ""
    source_files: list[dict[str, Any]] = field(default_factory=list)
    environment_info: dict[str, Any] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.source_files:
            found["source_files"] = self.source_files
        if self.environment_info:
            found["environment_info"] = self.environment_info
        return found

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.source_files or self.environment_info)


class Quit(Exception):
    """The user chose to stop (:quit, or no input left to read an answer from)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Asker:
    """Reads answers from `source`, writing prompts and notes to `out`."""

    def __init__(self, source: TextIO, out: TextIO) -> None:
        self._source = source
        self._out = out

    def answer(self) -> Answer:
        """An answer that is not empty and within the contract's limits, or Quit."""
        self._say("\n" + ANSWER_HELP)
        while True:
            answer, ended = self._read_answer()
            if answer.is_empty():
                if ended:
                    raise Quit("no answer was given (end of input)")
                self._say("Nothing to send yet: type an answer, attach a file with ':file PATH', or ':quit'.\n")
                continue
            found = continue_problems({"answer": answer.text, "context": answer.context()})
            if not found:
                return answer
            self._say("That answer cannot be sent:\n" + "".join(f"  - {p}\n" for p in found)
                      + f"(an answer is at most {MAX_ANSWER_CHARS:,} characters). Please give it again.\n")
            if ended:
                raise Quit("the answer is over the service's limits and there is no more input")

    def confirm(self, question: str) -> bool:
        """A yes/no question; anything but yes (including end of input) is no."""
        self._say(f"{question} [y/N] ")
        line = self._source.readline()
        if not line:
            self._say("\n")
        return line.strip().lower() in ("y", "yes")

    def _read_answer(self) -> tuple[Answer, bool]:
        """Lines up to a lone '.' (ended=False) or the end of input (ended=True)."""
        answer, text = Answer(), list[str]()
        while True:
            line = self._source.readline()
            if not line:
                self._say("\n")
                answer.text = "\n".join(text).strip("\n")
                return answer, True
            stripped = line.rstrip("\r\n")
            if stripped.strip() == END_OF_ANSWER:
                answer.text = "\n".join(text).strip("\n")
                return answer, False
            if not self._command(stripped, answer):
                text.append(stripped)

    def _command(self, line: str, answer: Answer) -> bool:
        """Runs a ':' command line and returns True, or returns False for a line of answer text."""
        word, _, rest = line.strip().partition(" ")
        if word == ":quit":
            raise Quit("you typed :quit (nothing of this answer was sent)")
        if word == ":help":
            self._say(ANSWER_HELP)
        elif word == ":file":
            self._attach(rest.strip(), answer)
        elif word == ":env":
            try:
                key, value = env_pair(rest.strip())
            except argparse.ArgumentTypeError as exc:
                self._say(f"  :env: {exc}\n")
            else:
                answer.environment_info.update(inputs.environment([(key, value)]))
                self._say(f"  added environment {inputs.ENV_ALIASES.get(key, key)}\n")
        else:
            return False
        return True

    def _attach(self, value: str, answer: Answer) -> None:
        try:
            item = inputs.source_file(file_spec(value))
        except (argparse.ArgumentTypeError, inputs.InputError) as exc:
            self._say(f"  :file: {exc}; not attached\n")
            return
        answer.source_files.append(item)
        size = len(item["content"].encode("utf-8"))
        relevance = f", {item['relevance']}" if "relevance" in item else ""
        self._say(f"  attached {item['path']} ({size:,} bytes{relevance})\n")

    def _say(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
