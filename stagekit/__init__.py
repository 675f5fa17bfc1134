"""What the stages share: the target and its description, the stage registry, the browser, the network
guard and the process supervisor. Imports the vocabulary only.
"""
