/** The few metrics each stand-in exposes on its /metrics, in the Prometheus text format. */

type Labels = Readonly<Record<string, string>>;

interface Family {
  help: string;
  type: "counter" | "gauge";
  samples: Map<string, { labels: Labels; value: number }>;
}

const labelText = (labels: Labels) => {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
};

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family["type"]): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, samples: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  /** Adds to a counter (created at 0 on first use). */
  add(name: string, help: string, amount: number, labels: Labels = {}): void {
    const samples = this.family(name, help, "counter").samples;
    const key = labelText(labels);
    const sample = samples.get(key) ?? { labels, value: 0 };
    sample.value += amount;
    samples.set(key, sample);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.family(name, help, "gauge").samples.set(labelText(labels), { labels, value });
  }

  text(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const sample of family.samples.values())
        lines.push(`${name}${labelText(sample.labels)} ${sample.value}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

export const PROMETHEUS_TEXT = "text/plain; version=0.0.4";
