/**
 * A small double-entry ledger: accounts, postings and reports.
 * Written to exercise the syntax a chunker must not be fooled by.
 */
import { EventEmitter } from "events";
import type { Readable } from "stream";

export type Currency = "EUR" | "USD" | "GBP";

export enum AccountKind {
  Asset = "asset",
  Liability = "liability",
  Income = "income",
  Expense = "expense",
}

export interface Posting {
  readonly account: string;
  readonly amountCents: bigint;
  readonly memo?: string;
}

export interface Transaction {
  id: string;
  date: Date;
  postings: Posting[];
  tags: Set<string>;
}

/** Braces in strings, template literals and regular expressions are not blocks. */
const MEMO_PATTERN = /^\{(?<code>[A-Z]{3})\}\s*(?<text>.*)$/u;
const CLOSING = "}}}";
const OPENING = '{{{';

export const formatCents = (cents: bigint, currency: Currency = "EUR"): string => {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, "0");
  return `${sign}${whole}.${frac} ${currency}${CLOSING.length > 3 ? "}" : ""}`;
};

export function parseMemo(memo: string): { code: string; text: string } | undefined {
  const match = MEMO_PATTERN.exec(memo);
  if (!match?.groups) {
    return undefined;
  }
  return { code: match.groups["code"], text: match.groups["text"] };
}

function* byMonth(transactions: Iterable<Transaction>): Generator<[string, Transaction[]]> {
  const groups = new Map<string, Transaction[]>();
  for (const tx of transactions) {
    const key = `${tx.date.getUTCFullYear()}-${String(tx.date.getUTCMonth() + 1).padStart(2, "0")}`;
    const list = groups.get(key) ?? [];
    list.push(tx);
    groups.set(key, list);
  }
  yield* [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function sealed(constructor: Function): void {
  Object.seal(constructor);
  Object.seal(constructor.prototype);
}

export class UnbalancedError extends Error {
  constructor(readonly transactionId: string, readonly differenceCents: bigint) {
    super(`transaction ${transactionId} is off by ${formatCents(differenceCents)}`);
    this.name = "UnbalancedError";
  }
}

export abstract class Store<K, V> {
  protected readonly entries = new Map<K, V>();

  abstract keyOf(value: V): K;

  put(value: V): void {
    this.entries.set(this.keyOf(value), value);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

@sealed
export class Ledger extends Store<string, Transaction> {
  private readonly events = new EventEmitter();
  private readonly kinds = new Map<string, AccountKind>();

  keyOf(tx: Transaction): string {
    return tx.id;
  }

  open(account: string, kind: AccountKind): this {
    if (this.kinds.has(account)) {
      throw new Error(`account ${account} is already open`);
    }
    this.kinds.set(account, kind);
    this.events.emit("open", { account, kind });
    return this;
  }

  /** Records a transaction; its postings must sum to zero. */
  record(tx: Transaction): void {
    let total = 0n;
    for (const posting of tx.postings) {
      if (!this.kinds.has(posting.account)) {
        throw new Error(`unknown account "${posting.account}" in ${tx.id}`);
      }
      total += posting.amountCents;
    }
    if (total !== 0n) {
      throw new UnbalancedError(tx.id, total);
    }
    this.put(tx);
    this.events.emit("record", tx);
  }

  balance(account: string, until?: Date): bigint {
    let sum = 0n;
    for (const tx of this.entries.values()) {
      if (until && tx.date > until) {
        continue;
      }
      for (const p of tx.postings) {
        if (p.account === account) {
          sum += p.amountCents;
        }
      }
    }
    return sum;
  }

  trialBalance(): Array<{ account: string; kind: AccountKind; cents: bigint }> {
    return [...this.kinds.entries()]
      .map(([account, kind]) => ({ account, kind, cents: this.balance(account) }))
      .filter(({ cents }) => cents !== 0n)
      .sort((a, b) => (a.cents < b.cents ? -1 : a.cents > b.cents ? 1 : 0));
  }

  monthlyReport(currency: Currency): string {
    const lines: string[] = [];
    for (const [month, txs] of byMonth(this.entries.values())) {
      const income = txs
        .flatMap((tx) => tx.postings)
        .filter((p) => this.kinds.get(p.account) === AccountKind.Income)
        .reduce((acc, p) => acc - p.amountCents, 0n);
      lines.push(`${month}: ${txs.length} transactions, income ${formatCents(income, currency)}`);
    }
    return lines.join("\n");
  }

  on(event: "open" | "record", listener: (payload: unknown) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }
}

export namespace Import {
  export interface Row {
    date: string;
    account: string;
    amount: string;
    memo: string;
  }

  export const splitCsvLine = (line: string): string[] => {
    const out: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (c === "," && !quoted) {
        out.push(field);
        field = "";
      } else {
        field += c;
      }
    }
    out.push(field);
    return out;
  };

  export async function readRows(input: Readable): Promise<Row[]> {
    const rows: Row[] = [];
    let buffered = "";
    for await (const chunk of input) {
      buffered += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const [date, account, amount, memo] = splitCsvLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        rows.push({ date, account, amount, memo: memo ?? OPENING.slice(0, 0) });
      }
    }
    return rows;
  }
}
