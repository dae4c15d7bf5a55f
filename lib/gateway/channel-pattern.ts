/**
 * A compiled `@OnJoin` pattern such as `room:{roomId}`: literal text, with `{name}` matching
 * one segment of `[A-Za-z0-9_\-.@#=]` (a `:` or `/` ends it).
 *
 * @example new ChannelPattern('room:{roomId}').match('room:lobby') // { roomId: 'lobby' }
 */
export class ChannelPattern {
  private readonly regex: RegExp;
  private readonly names: string[] = [];

  constructor(readonly source: string) {
    let pattern = '';
    let rest = source;
    for (let open = rest.indexOf('{'); open >= 0; open = rest.indexOf('{')) {
      const close = rest.indexOf('}', open);
      if (close < 0) throw new Error(`Unclosed "{" in channel pattern "${source}".`);
      const name = rest.slice(open + 1, close);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
        throw new Error(`Invalid parameter name "${name}" in channel pattern "${source}".`);
      }
      pattern += escape(rest.slice(0, open)) + '([A-Za-z0-9_\\-.@#=]+)';
      this.names.push(name);
      rest = rest.slice(close + 1);
    }
    this.regex = new RegExp(`^${pattern}${escape(rest)}$`);
  }

  /** The parameters when `channel` matches, else `undefined`. */
  match(channel: string): Record<string, string> | undefined {
    const found = this.regex.exec(channel);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    this.names.forEach((name, i) => (params[name] = found[i + 1]!));
    return params;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
