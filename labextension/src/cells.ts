/**
 * The Python the extension writes into notebooks. Pure functions, no JupyterLab import.
 *
 * User text (a file name, a path) reaches a cell only as a Python string literal made by
 * `pyString`; names in code are identifiers made by `identifier`. Comments are fixed words.
 */

/** What the settings editor controls (schema/plugin.json). */
export interface ISettings {
  previewRows: number;
  seed: number;
  tutorialHint: boolean;
}

export const DEFAULTS: ISettings = { previewRows: 1000, seed: 0, tutorialHint: true };

/** The data files "Open in synthbench" offers to read, by extension. */
export const DATA_EXTENSIONS = ['.csv', '.parquet', '.json'];

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except ' +
    'finally for from global if import in is lambda nonlocal not or pass raise return try while with yield ' +
    'match case type _'
  ).split(' ')
);
/** Names the generated cells use themselves (or the notebook defines): a file cannot take them. */
const TAKEN = new Set(['pd', 'sb', 'np', 'panel', 'Workbench', 'from_file', 'In', 'Out', 'get_ipython', 'display']);

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/**
 * `text` as a Python string literal, like Python's `repr`: quotes, backslashes and every
 * character that is not printable (newlines, controls, separators, surrogates) escaped.
 */
export function pyString(text: string): string {
  let out = "'";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch === "'") {
      out += "\\'";
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) {
      out += ch;
    } else if (code < 0x100) {
      out += '\\x' + hex(code, 2);
    } else if (code < 0x10000) {
      out += '\\u' + hex(code, 4);
    } else {
      out += '\\U' + hex(code, 8);
    }
  }
  return out + "'";
}

/** A Python identifier (ASCII) for a file called `stem`: `my data (2).csv` -> `my_data_2`. */
export function identifier(stem: string): string {
  let name = stem.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) {
    name = 'df';
  }
  if (/^[0-9]/.test(name)) {
    name = 'df_' + name;
  }
  if (KEYWORDS.has(name) || TAKEN.has(name)) {
    name += '_df';
  }
  return name;
}

/** The name without its extension: `a/b/penguins.csv` -> `penguins`. */
export function stemOf(path: string): string {
  const base = path.split('/').pop() || path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The lower-case extension with its dot (`.csv`), or '' when there is none. */
export function extensionOf(path: string): string {
  const base = path.split('/').pop() || path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

export interface ICell {
  cell_type: 'code' | 'markdown';
  source: string;
}

const HINT =
  '**synthbench**: run the cells below (Shift+Enter) to open the workbench. New to synthetic data? ' +
  'Run *Open synthbench tutorials* from the command palette (or the launcher) for ten short tutorials.';

function hint(settings: ISettings): ICell[] {
  return settings.tutorialHint ? [{ cell_type: 'markdown', source: HINT }] : [];
}

/** The cell that opens the workbench on the frame `name`: the magic, or the class with the settings. */
function workbenchCell(name: string, settings: ISettings): ICell {
  if (settings.previewRows === DEFAULTS.previewRows && settings.seed === DEFAULTS.seed) {
    return { cell_type: 'code', source: `%synthbench ${name}` };
  }
  return {
    cell_type: 'code',
    source:
      'from synthbench.widgets import Workbench\n\n' +
      `Workbench(${name}, n=${settings.previewRows}, seed=${settings.seed})`
  };
}

/** "New synthbench workbench": the penguins, ready to replace by one's own frame. */
export function workbenchCells(settings: ISettings): ICell[] {
  return [
    ...hint(settings),
    {
      cell_type: 'code',
      source:
        '%load_ext synthbench\n' +
        'import pandas as pd\n' +
        'from synthbench.data import load_penguins\n\n' +
        '# your own data instead: df = pd.read_csv(...)\n' +
        'df = load_penguins()\n' +
        'df.head()'
    },
    workbenchCell('df', settings)
  ];
}

/**
 * "Open in synthbench" on `fileName` (a file beside the notebook): read it into a variable
 * named after it and open the workbench, or for a synthbench spec (`isSpec`) the panel of
 * its generator.
 */
export function openFileCells(fileName: string, isSpec: boolean, settings: ISettings): ICell[] {
  const name = identifier(stemOf(fileName));
  const literal = pyString(fileName);
  if (isSpec) {
    return [
      ...hint(settings),
      {
        cell_type: 'code',
        source:
          '%load_ext synthbench\n' +
          'from synthbench.registry import from_file\n' +
          'from synthbench.widgets import panel\n\n' +
          `${name} = from_file(${literal})\n` +
          name
      },
      { cell_type: 'code', source: `panel(${name}, n=${settings.previewRows}, seed=${settings.seed})` }
    ];
  }
  const reader = extensionOf(fileName) === '.parquet' ? 'read_parquet' : extensionOf(fileName) === '.json' ? 'read_json' : 'read_csv';
  return [
    ...hint(settings),
    {
      cell_type: 'code',
      source:
        '%load_ext synthbench\n' +
        'import pandas as pd\n\n' +
        `${name} = pd.${reader}(${literal})\n` +
        `${name}.head()`
    },
    workbenchCell(name, settings)
  ];
}

/** The code run in a kernel to copy the tutorials into `folder` (missing files only). */
export function copyTutorialsCode(folder: string): string {
  return `import synthbench.cli as _sb_cli\nprint("SYNTHBENCH-EXIT", _sb_cli.main(["tutorials", ${pyString(folder)}]))`;
}

/** A notebook (nbformat 4.5) holding `cells`, for the kernel `kernel`. */
export function notebook(cells: ICell[], kernel: { name: string; display_name: string }): Record<string, unknown> {
  return {
    cells: cells.map((cell, i) => ({
      cell_type: cell.cell_type,
      id: `synthbench-${i}`,
      metadata: {},
      source: cell.source,
      ...(cell.cell_type === 'code' ? { execution_count: null, outputs: [] } : {})
    })),
    metadata: {
      kernelspec: { ...kernel, language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}
