// Types for a test-only parser of the Prometheus text format (the package ships none); shared by
// the gateway and web tests that check their /metrics.
declare module "parse-prometheus-text-format" {
  export type ParsedMetric = {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
  };
  export default function parsePrometheusTextFormat(text: string): ParsedMetric[];
}
