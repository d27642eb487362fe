/**
 * synthbench in JupyterLab (and Notebook 7 where the pieces exist): launcher cards,
 * "Open in synthbench" on data files, and palette / notebook context-menu commands.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { Contents, Kernel, KernelMessage } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';

import {
  copyTutorialsCode,
  DATA_EXTENSIONS,
  DEFAULTS,
  extensionOf,
  ICell,
  identifier,
  ISettings,
  notebook,
  openFileCells,
  stemOf,
  workbenchCells
} from './cells';

const PLUGIN_ID = 'synthbench:plugin';
const CATEGORY = 'synthbench';
/** Where the tutorials are copied when the server's folders do not hold them already. */
const TUTORIALS_FOLDER = 'synthbench-tutorials';
const FIRST_TUTORIAL = '01_what_is_synthetic_data.ipynb';
/** A .json file larger than this is data, never read in the browser to look for a spec. */
const MAX_SPEC_BYTES = 10 * 2 ** 20;

namespace CommandIDs {
  export const newWorkbench = 'synthbench:new-workbench';
  export const openTutorials = 'synthbench:open-tutorials';
  export const openFile = 'synthbench:open-file';
  export const insertExport = 'synthbench:insert-export';
}

/** Points drawn from two clusters, one of them copied: synthetic data. */
export const synthbenchIcon = new LabIcon({
  name: 'synthbench:icon',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <g class="jp-icon3" fill="#616161">
    <circle cx="5" cy="16" r="2"/><circle cx="8.5" cy="12" r="2"/><circle cx="6" cy="8" r="1.6"/>
    <circle cx="11" cy="17.5" r="1.6"/>
  </g>
  <g class="jp-icon-brand0" fill="#1976d2">
    <circle cx="15" cy="7" r="2"/><circle cx="18.5" cy="11" r="2"/><circle cx="14" cy="12.5" r="1.6"/>
    <circle cx="19" cy="16.5" r="1.6"/>
  </g>
  <path class="jp-icon3" fill="none" stroke="#616161" stroke-width="1.2" d="M2 21.5h20M2.5 22V2"/>
</svg>`
});

/** The folder the file browser shows (the server root when there is none, as in a notebook view). */
function currentFolder(browser: IDefaultFileBrowser | null): string {
  return browser ? browser.model.path : '';
}

async function exists(contents: Contents.IManager, path: string): Promise<boolean> {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/** `folder/stem.ipynb`, or `folder/stem-1.ipynb`, ... : never an existing file. */
async function freePath(contents: Contents.IManager, folder: string, stem: string): Promise<string> {
  for (let i = 0; ; i++) {
    const path = PathExt.join(folder, `${stem}${i ? `-${i}` : ''}.ipynb`);
    if (!(await exists(contents, path))) {
      return path;
    }
  }
}

async function defaultKernel(app: JupyterFrontEnd): Promise<{ name: string; display_name: string }> {
  const specs = app.serviceManager.kernelspecs;
  await specs.ready;
  const name = specs.specs?.default || 'python3';
  const spec = specs.specs?.kernelspecs[name];
  return { name, display_name: spec?.display_name || name };
}

/** Write a new notebook of `cells` at `path` and open it. */
async function createNotebook(app: JupyterFrontEnd, path: string, cells: ICell[]): Promise<void> {
  const content = notebook(cells, await defaultKernel(app));
  await app.serviceManager.contents.save(path, { type: 'notebook', format: 'json', content });
  await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
}

/** Whether the JSON file at `path` is a synthbench spec (`"synthbench_spec"` at its top level). */
async function isSpec(contents: Contents.IManager, path: string, size: number | undefined): Promise<boolean> {
  if (size !== undefined && size > MAX_SPEC_BYTES) {
    return false;
  }
  try {
    const model = await contents.get(path, { type: 'file', format: 'text', content: true });
    const value: unknown = JSON.parse(model.content as string);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'synthbench_spec' in value;
  } catch {
    return false;
  }
}

/** Run `code` in a fresh kernel started in the server's root folder; its stdout (or the error). */
async function runInKernel(app: JupyterFrontEnd, code: string): Promise<string> {
  const { name } = await defaultKernel(app);
  // path '' : the kernel's working folder is the server root (not the server's own cwd).
  const kernel = await app.serviceManager.kernels.startNew({ name, path: '' } as Kernel.IKernelOptions);
  let out = '';
  try {
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
      if (KernelMessage.isStreamMsg(msg)) {
        out += msg.content.text;
      } else if (KernelMessage.isErrorMsg(msg)) {
        out += `${msg.content.ename}: ${msg.content.evalue}\n`;
      }
    };
    await future.done;
  } finally {
    await kernel.shutdown();
  }
  return out;
}

/** The folder holding the tutorials: found among the server's folders, or copied into one. */
async function tutorialsFolder(app: JupyterFrontEnd): Promise<string> {
  const contents = app.serviceManager.contents;
  for (const folder of ['', 'notebooks', TUTORIALS_FOLDER]) {
    if (await exists(contents, PathExt.join(folder, FIRST_TUTORIAL))) {
      return folder;
    }
  }
  const out = await runInKernel(app, copyTutorialsCode(TUTORIALS_FOLDER));
  if (!out.includes('SYNTHBENCH-EXIT 0')) {
    throw new Error(out.replace(/SYNTHBENCH-EXIT \d+\s*$/, '').trim() || 'the kernel gave no answer');
  }
  return TUTORIALS_FOLDER;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'synthbench: launcher cards, "Open in synthbench" on data files, palette commands.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette, IDefaultFileBrowser, IFileBrowserFactory, INotebookTracker, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    defaultBrowser: IDefaultFileBrowser | null,
    browsers: IFileBrowserFactory | null,
    notebooks: INotebookTracker | null,
    registry: ISettingRegistry | null
  ) => {
    const { commands, serviceManager } = app;
    let settings: ISettings = { ...DEFAULTS };
    if (registry) {
      registry
        .load(PLUGIN_ID)
        .then(loaded => {
          const read = () => {
            settings = { ...DEFAULTS, ...(loaded.composite as Partial<ISettings>) };
          };
          read();
          loaded.changed.connect(read);
        })
        .catch(reason => console.error('synthbench: cannot load the settings', reason));
    }

    const fail = (what: string) => (reason: unknown) =>
      showErrorMessage(`synthbench: ${what}`, reason instanceof Error ? reason.message : String(reason));

    commands.addCommand(CommandIDs.newWorkbench, {
      label: args => (args.isLauncher ? 'Synthetic data' : 'New synthbench workbench'),
      caption: 'A new notebook that opens the synthbench workbench on a sample data set',
      icon: args => (args.isPalette ? undefined : synthbenchIcon),
      execute: async args => {
        const folder = typeof args.cwd === 'string' ? args.cwd : currentFolder(defaultBrowser);
        const path = await freePath(serviceManager.contents, folder, 'synthbench-workbench');
        await createNotebook(app, path, workbenchCells(settings)).catch(fail('cannot create the notebook'));
      }
    });

    commands.addCommand(CommandIDs.openTutorials, {
      label: args => (args.isLauncher ? 'Tutorials' : 'Open synthbench tutorials'),
      caption: 'The ten synthbench tutorial notebooks (copied into synthbench-tutorials/ when not found)',
      icon: args => (args.isPalette ? undefined : synthbenchIcon),
      execute: async () => {
        try {
          const folder = await tutorialsFolder(app);
          if (defaultBrowser) {
            await defaultBrowser.model.cd(`/${folder}`);
          }
          await commands.execute('docmanager:open', { path: PathExt.join(folder, FIRST_TUTORIAL), factory: 'Notebook' });
        } catch (reason) {
          await fail('cannot open the tutorials')(reason);
        }
      }
    });

    /** The file the context menu was opened on (or `args.path`), if it is a data file. */
    const selectedFile = (args: { path?: unknown }): Contents.IModel | { path: string; size?: number } | null => {
      if (typeof args.path === 'string') {
        return { path: args.path };
      }
      const widget = browsers?.tracker.currentWidget;
      if (!widget) {
        return null;
      }
      const items = Array.from(widget.selectedItems());
      const item = items.length === 1 ? items[0] : null;
      return item && item.type !== 'directory' && DATA_EXTENSIONS.includes(extensionOf(item.path)) ? item : null;
    };

    commands.addCommand(CommandIDs.openFile, {
      label: 'Open in synthbench',
      caption: 'A new notebook beside this file that reads it and opens the synthbench workbench on it',
      icon: synthbenchIcon,
      isVisible: args => selectedFile(args) !== null,
      execute: async args => {
        const file = selectedFile(args);
        if (!file) {
          return;
        }
        try {
          const spec = extensionOf(file.path) === '.json' && (await isSpec(serviceManager.contents, file.path, file.size));
          const folder = PathExt.dirname(file.path);
          const path = await freePath(serviceManager.contents, folder, `${identifier(stemOf(file.path))}_synthbench`);
          await createNotebook(app, path, openFileCells(PathExt.basename(file.path), spec, settings));
        } catch (reason) {
          await fail('cannot open the file')(reason);
        }
      }
    });

    commands.addCommand(CommandIDs.insertExport, {
      label: 'Insert synthbench export cell',
      caption: "Insert and run `%synthbench export` below: the current panel's code becomes the next cell",
      icon: args => (args.isPalette ? undefined : synthbenchIcon),
      isEnabled: () => !!notebooks?.currentWidget,
      execute: async () => {
        const current = notebooks?.currentWidget;
        if (!current) {
          return;
        }
        const kernel = current.sessionContext.session?.kernel;
        if (kernel) {
          // The magic needs the extension; loading it again is silent.
          await kernel.requestExecute({
            code: "get_ipython().extension_manager.load_extension('synthbench')",
            silent: true,
            store_history: false
          }).done;
        }
        NotebookActions.insertBelow(current.content);
        const cell = current.content.activeCell;
        if (cell) {
          cell.model.sharedModel.setSource('%synthbench export');
          await NotebookActions.run(current.content, current.sessionContext);
        }
      }
    });

    if (launcher) {
      launcher.add({ command: CommandIDs.newWorkbench, category: CATEGORY, rank: 1, args: { isLauncher: true } });
      launcher.add({ command: CommandIDs.openTutorials, category: CATEGORY, rank: 2, args: { isLauncher: true } });
    }
    if (palette) {
      for (const command of [CommandIDs.newWorkbench, CommandIDs.openTutorials, CommandIDs.insertExport]) {
        palette.addItem({ command, category: CATEGORY, args: { isPalette: true } });
      }
    }
    app.contextMenu.addItem({
      command: CommandIDs.openFile,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 3
    });
    app.contextMenu.addItem({ command: CommandIDs.insertExport, selector: '.jp-Notebook', rank: 20 });
  }
};

export default plugin;
