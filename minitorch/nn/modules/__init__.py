"""torch.nn.modules's path to the Module machinery: `nn.modules.module` is nn/module.py.

Only so that `nn.modules.module.register_module_forward_hook(...)` (torch's spelling of the
global hooks) runs unchanged; read nn/module.py itself.
"""

import sys

from minitorch.nn import module

sys.modules[__name__ + ".module"] = module  # `import minitorch.nn.modules.module` works too

__all__ = ["module"]
