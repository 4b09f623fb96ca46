/**
 * A small XML reader for `nvidia-smi -q -x`: elements, attributes, text, entities, CDATA; it skips
 * the prolog, DOCTYPE, comments and processing instructions. Hand-written instead of a dependency
 * because the agent ships as one bundled file and nvidia-smi's XML uses nothing more than this.
 * Malformed input (a truncated or garbage tool output) throws XmlError; callers turn that into
 * "readings missing".
 */

export type XmlElement = {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element, entities decoded, not trimmed. */
  text: string;
};

export class XmlError extends Error {
  override name = "XmlError";
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

const decodeEntities = (raw: string): string =>
  raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });

const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** Parse a whole document and return its root element. */
export const parseXml = (source: string): XmlElement => {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const n = source.length;

  const skipPast = (marker: string, what: string) => {
    const end = source.indexOf(marker, i);
    if (end < 0) throw new XmlError(`unterminated ${what} at offset ${i}`);
    i = end + marker.length;
  };

  while (i < n) {
    const lt = source.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      const top = stack.at(-1);
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== "") throw new XmlError(`text outside the root element at offset ${i}`);
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith("<?", i)) skipPast("?>", "processing instruction");
    else if (source.startsWith("<!--", i)) skipPast("-->", "comment");
    else if (source.startsWith("<![CDATA[", i)) {
      const end = source.indexOf("]]>", i);
      if (end < 0) throw new XmlError(`unterminated CDATA at offset ${i}`);
      const top = stack.at(-1);
      if (!top) throw new XmlError(`CDATA outside the root element at offset ${i}`);
      top.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith("<!", i)) {
      // DOCTYPE. An internal subset is skipped whole; its entities are never expanded (no XXE).
      const close = source.indexOf(">", i);
      const bracket = source.indexOf("[", i);
      if (bracket >= 0 && (close < 0 || bracket < close)) skipPast("]>", "DOCTYPE");
      else skipPast(">", "declaration");
    } else if (source.startsWith("</", i)) {
      const end = source.indexOf(">", i);
      if (end < 0) throw new XmlError(`unterminated end tag at offset ${i}`);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`</${name}> does not close <${open?.name ?? "nothing"}> at offset ${i}`);
      i = end + 1;
    } else {
      const end = source.indexOf(">", i);
      if (end < 0) throw new XmlError(`unterminated start tag at offset ${i}`);
      let body = source.slice(i + 1, end);
      const selfClosing = body.endsWith("/");
      if (selfClosing) body = body.slice(0, -1);
      const name = NAME.exec(body)?.[0];
      if (!name) throw new XmlError(`bad tag name at offset ${i}`);
      const attrs: Record<string, string> = {};
      for (const m of body.slice(name.length).matchAll(ATTR)) {
        attrs[m[1]!] = decodeEntities(m[3] ?? m[4] ?? "");
      }
      const el: XmlElement = { name, attrs, children: [], text: "" };
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else if (root) throw new XmlError(`second root element <${name}> at offset ${i}`);
      else root = el;
      if (!selfClosing) stack.push(el);
      i = end + 1;
    }
  }
  if (stack.length > 0) throw new XmlError(`document ends inside <${stack.at(-1)!.name}>`);
  if (!root) throw new XmlError("no root element");
  return root;
};

/** The first child element with this name, or null. */
export const findChild = (el: XmlElement | null | undefined, name: string): XmlElement | null =>
  el?.children.find((c) => c.name === name) ?? null;

/** Text of the element at a child path (`["clocks", "mem_clock"]`), trimmed; null when absent. */
export const findText = (el: XmlElement | null | undefined, path: readonly string[]): string | null => {
  let at: XmlElement | null = el ?? null;
  for (const name of path) at = findChild(at, name);
  return at ? at.text.trim() : null;
};
